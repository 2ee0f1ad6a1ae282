import type { Activation, BackendName, LayerSpec, LossName } from '../src';
import { el } from './dom';
import { EarlyStoppingFields, ScheduleFields, type ShownError, fieldNumber, showFieldErrors } from './editor-features';
import { checkFeatures } from './feature-checks';
import { alphaInput, normSelect, oneRowBatchNorm, readAlpha, updateAlpha } from './layer-extras';
import type { Settings } from './presets';

const ACTIVATIONS: Activation[] = ['relu', 'sigmoid', 'tanh', 'linear', 'softmax', 'leakyRelu', 'elu', 'selu', 'gelu', 'geluTanh', 'silu', 'softplus', 'mish'];
const LOSSES: { value: LossName; label: string }[] = [
  { value: 'categoricalCrossEntropy', label: 'categorical cross-entropy (softmax)' },
  { value: 'binaryCrossEntropy', label: 'binary cross-entropy (sigmoid)' },
  { value: 'mse', label: 'mean squared error' },
  { value: 'sse', label: 'sum of squared errors ×½' },
  { value: 'huber', label: 'Huber (δ below)' },
];
const OPTIMIZERS: Settings['optimizer'][] = ['sgd', 'momentum', 'adam'];
const INITIALIZERS: Settings['initializer'][] = ['xavier', 'he', 'normal', 'uniform'];
const BACKENDS: { value: BackendName; label: string }[] = [
  { value: 'auto', label: 'auto' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'cpu', label: 'CPU' },
];

const select = <T extends string>(id: string, options: { value: T; label: string }[]): HTMLSelectElement =>
  el('select', { id }, ...options.map((o) => el('option', { value: o.value }, o.label)));

const numberInput = (id: string, attrs: Record<string, string> = {}): HTMLInputElement => el('input', { id, type: 'number', ...attrs });

/** A number rule of the demo's own fields (those the library checks are read with {@link fieldNumber}). */
type Rule = { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean };

/** Reads a number field, throwing a message that names the field when it is not valid. */
function readNumber(input: HTMLInputElement, label: string, rule: Rule): number {
  const raw = input.value.trim();
  const v = Number(raw);
  const bad =
    raw === '' ||
    !Number.isFinite(v) ||
    (rule.integer && !Number.isInteger(v)) ||
    (rule.min !== undefined && (rule.exclusiveMin ? v <= rule.min : v < rule.min)) ||
    (rule.max !== undefined && v > rule.max);
  if (bad) {
    const range = rule.min !== undefined ? ` ${rule.exclusiveMin ? '>' : '≥'} ${rule.min}` + (rule.max !== undefined ? ` and ≤ ${rule.max}` : '') : '';
    throw new RangeError(`${label} must be ${rule.integer ? 'a whole number' : 'a number'}${range}, got '${raw}'`);
  }
  return v;
}

interface LayerRow {
  units: HTMLInputElement;
  activation: HTMLSelectElement;
  /** Hidden layers' dropout probability (the output layer has none). */
  dropout: HTMLInputElement;
  /** Hidden layers' skip connection (a_l = f(z_l) + a_{l−1}); enabled only where the input width equals the units. */
  residual: HTMLInputElement;
  /** Hidden layers' normalization: '' (none), 'layer' or 'batch'. */
  norm: HTMLSelectElement;
  /** leakyRelu's and elu's alpha (empty: the default); disabled for the other activations. */
  alpha: HTMLInputElement;
}

/**
 * The architecture and training-settings editor: layers (units, activation, its α for leakyRelu
 * and elu, and for hidden layers dropout, norm and residual), loss (with the Huber loss's δ), optimizer, learning rate and its schedule,
 * batch size, epochs, L2, L1, seed, initializer, validation split, early stopping and backend. The output layer's size is
 * fixed by the dataset. A refused value is shown next to its field: the demo's own range checks,
 * and for dropout, the schedule and early stopping the library's own message.
 *
 * @example
 * const editor = new ArchitectureEditor(byId('editor'), () => console.log(editor.invalid ?? 'ok'));
 * editor.set(PRESETS.mnist);
 */
export class ArchitectureEditor {
  private readonly root: HTMLElement;
  private readonly layerRows: HTMLElement;
  private layers: LayerRow[] = [];
  private outputUnits = 1;
  /** The dataset's input width, null until a dataset has loaded (the first layer's residual needs it). */
  private inputUnits: number | null = null;
  private readonly fields = {
    loss: select('loss', LOSSES),
    optimizer: select('optimizer', OPTIMIZERS.map((o) => ({ value: o, label: o }))),
    learningRate: numberInput('learning-rate', { step: 'any', min: '0' }),
    batchSize: numberInput('batch-size', { step: '1', min: '1' }),
    epochs: numberInput('epochs', { step: '1', min: '1' }),
    l2: numberInput('l2', { step: 'any', min: '0' }),
    l1: numberInput('l1', { step: 'any', min: '0' }),
    huberDelta: numberInput('huber-delta', { step: 'any', min: '0' }),
    seed: numberInput('seed', { step: '1', min: '0' }),
    initializer: select('initializer', INITIALIZERS.map((o) => ({ value: o, label: o }))),
    validationSplit: numberInput('validation-split', { step: '0.05', min: '0', max: '0.9' }),
    freezeBias: el('input', { id: 'freeze-bias', type: 'checkbox' }),
  };
  private readonly schedule = new ScheduleFields(this.fields.learningRate);
  private readonly stopping = new EarlyStoppingFields();
  private readonly backendInputs: HTMLInputElement[];
  /** The first refused value's message, or null when every field is valid. */
  invalid: string | null = null;

  /** Builds the editor inside `root`; `onChange` runs after any edit. */
  constructor(root: HTMLElement, private readonly onChange: () => void) {
    this.root = root;
    this.layerRows = el('div', { class: 'layers' });
    const add = el('button', { type: 'button', id: 'add-layer', class: 'small' }, '+ hidden layer');
    add.addEventListener('click', () => {
      const last = this.layers.length - 1;
      const units = this.layers[last - 1]?.units.value ?? '16';
      this.insertLayer(last, Number(units) || 16, 'relu');
      this.changed();
    });
    this.backendInputs = BACKENDS.map((b) => el('input', { type: 'radio', name: 'backend', value: b.value, id: `backend-${b.value}` }));
    const f = this.fields;
    const row = (label: string, input: HTMLElement, hint?: string) =>
      el('label', { class: 'field' }, el('span', {}, label), input, ...(hint ? [el('small', {}, hint)] : []));
    root.append(
      el('div', { class: 'layer-head' }, el('span', {}, 'layer'), el('span', {}, 'units'), el('span', {}, 'activation'), el('span', { title: 'hidden layers: the probability of dropping each unit while training' }, 'dropout'), el('span', { title: "hidden layers: add the layer's input to its output (input width = units)" }, 'res.'), el('span', {})),
      this.layerRows,
      add,
      el(
        'div',
        { class: 'grid2' },
        row('loss', f.loss),
        row('optimizer', f.optimizer),
        row('learning rate η', f.learningRate),
        row('batch size', f.batchSize),
        row('epochs', f.epochs),
        row('L2 λ', f.l2),
        row('L1 λ₁', f.l1),
        row('Huber δ', f.huberDelta, 'loss Huber only'),
        row('seed', f.seed),
        row('initializer', f.initializer),
        row('validation split', f.validationSplit),
        el('label', { class: 'field checkbox' }, f.freezeBias, el('span', {}, 'freeze biases')),
      ),
      this.schedule.root,
      this.stopping.root,
      el(
        'fieldset',
        { class: 'backend' },
        el('legend', {}, 'backend'),
        ...BACKENDS.map((b, i) => el('label', {}, this.backendInputs[i], ` ${b.label}`)),
      ),
    );
    root.addEventListener('input', () => this.changed());
    root.addEventListener('change', () => this.changed());
  }

  /** Re-checks every field, shows what is refused, and tells the page. */
  private changed(): void {
    this.check();
    this.onChange();
  }

  private check(): void {
    this.fields.huberDelta.disabled = this.fields.loss.value !== 'huber';
    this.updateResidual();
    for (const l of this.layers) updateAlpha(l.alpha, l.activation.value as Activation);
    const { errors } = this.collect();
    showFieldErrors(this.root, errors);
    this.invalid = errors[0]?.message ?? null;
  }

  /**
   * Enables each hidden layer's residual box only where its input width (the previous layer's
   * units, or the dataset's inputs) equals its units, as `MLP.create` requires; a disabled box
   * is unchecked and its title says why.
   */
  private updateResidual(): void {
    this.layers.forEach((l, i) => {
      if (i === this.layers.length - 1) return;
      const units = Number(l.units.value);
      const input = i === 0 ? this.inputUnits : Number(this.layers[i - 1].units.value);
      const reason =
        input === null
          ? 'residual needs the input width, known once the dataset loads'
          : input !== units
            ? `residual needs the layer's input width (${input}) to equal its units (${l.units.value})`
            : '';
      l.residual.disabled = reason !== '';
      if (reason) l.residual.checked = false;
      l.residual.title = reason || "add the layer's input to its output: a = f(z) + input";
    });
  }

  private makeLayer(units: number, activation: Activation, dropout?: number, residual?: boolean, extras: Pick<LayerSpec, 'norm' | 'alpha'> = {}): LayerRow {
    const u = el('input', { type: 'number', min: '1', step: '1', value: String(units), class: 'units' });
    const a = el('select', { class: 'activation' }, ...ACTIVATIONS.map((x) => el('option', { value: x }, x)));
    a.value = activation;
    const d = el('input', { type: 'number', min: '0', step: '0.05', placeholder: '0', class: 'dropout', title: 'the probability of dropping each unit while training (0 = none)' });
    if (dropout) d.value = String(dropout);
    const r = el('input', { type: 'checkbox', class: 'residual' });
    r.checked = residual ?? false;
    return { units: u, activation: a, dropout: d, residual: r, norm: normSelect(extras.norm), alpha: alphaInput(extras.alpha) };
  }

  private insertLayer(at: number, units: number, activation: Activation): void {
    this.layers.splice(at, 0, this.makeLayer(units, activation));
    this.render();
  }

  private render(): void {
    this.layerRows.replaceChildren(
      ...this.layers.map((l, i) => {
        const output = i === this.layers.length - 1;
        l.units.readOnly = output;
        l.units.title = output ? 'set by the dataset' : '';
        if (output) l.units.value = String(this.outputUnits);
        const remove = el('button', { type: 'button', class: 'small remove', title: 'remove this layer' }, '×');
        remove.disabled = output;
        remove.addEventListener('click', () => {
          this.layers.splice(i, 1);
          this.render();
          this.changed();
        });
        const dropout = output ? el('span', { class: 'note', title: 'dropout applies to hidden layers only' }, '–') : l.dropout;
        const residual = output ? el('span', { class: 'note', title: 'residual applies to hidden layers only' }, '–') : l.residual;
        const norm = output ? el('span', { class: 'note', title: 'norm applies to hidden layers only' }, '–') : l.norm;
        // α and norm wrap onto a second line of the row's grid, under units and activation
        const extras = el('span', { class: 'extras-label', title: "α: leakyRelu's slope / elu's α; norm: layer or batch normalization before the activation" }, 'α, norm');
        return el('div', { class: 'layer' }, el('span', {}, output ? 'output' : `hidden ${i + 1}`), l.units, l.activation, dropout, residual, remove, extras, l.alpha, norm);
      }),
    );
    this.check();
  }

  /** Sets the output layer's size (the dataset's number of outputs). */
  setOutputUnits(n: number): void {
    this.outputUnits = n;
    this.render();
  }

  /** Sets the dataset's input width (the first hidden layer's residual box compares with it). */
  setInputUnits(n: number): void {
    this.inputUnits = n;
    this.render();
  }

  /** Shows `s` in the form. */
  set(s: Settings): void {
    this.layers = s.layers.map((l) => this.makeLayer(l.units, l.activation, l.dropout, l.residual, l));
    const f = this.fields;
    f.loss.value = s.loss;
    f.optimizer.value = s.optimizer;
    this.schedule.set(s.learningRate);
    this.stopping.set(s.earlyStopping);
    f.batchSize.value = String(s.batchSize);
    f.epochs.value = String(s.epochs);
    f.l2.value = String(s.l2);
    f.l1.value = String(s.l1 ?? 0);
    f.huberDelta.value = String(s.huberDelta ?? 1);
    f.seed.value = String(s.seed);
    f.initializer.value = s.initializer;
    f.validationSplit.value = String(s.validationSplit);
    f.freezeBias.checked = s.freezeBias ?? false;
    for (const b of this.backendInputs) b.checked = b.value === s.backend;
    this.render();
  }

  /** Shows an imported model's structure (layers, loss, L2, L1, Huber δ, seed, initializer) in the form. */
  setModel(m: { layers: Settings['layers']; loss: LossName; l2?: number; l1?: number; huberDelta?: number; seed?: number; freezeBias?: boolean }): void {
    const current = this.collect().settings;
    this.set({ ...current, layers: m.layers, loss: m.loss, l2: m.l2 ?? 0, l1: m.l1 ?? 0, huberDelta: m.huberDelta ?? 1, seed: m.seed ?? current.seed, freezeBias: m.freezeBias ?? false });
  }

  /** The backend chosen in the form. */
  get backend(): BackendName {
    return (this.backendInputs.find((b) => b.checked)?.value ?? 'auto') as BackendName;
  }

  /** The settings in the form; throws a message naming the first invalid field. */
  get(): Settings {
    const { settings, errors } = this.collect();
    if (errors.length) throw new RangeError(errors[0].message);
    return settings;
  }

  /** The form's settings (refused numbers replaced by fallbacks) and every refused value with its field. */
  private collect(): { settings: Settings; errors: ShownError[] } {
    const f = this.fields;
    const errors: ShownError[] = [];
    const num = (input: HTMLInputElement, label: string, rule: Rule, fallback: number) => {
      try {
        return readNumber(input, label, rule);
      } catch (e) {
        errors.push({ input, message: (e as Error).message });
        return fallback;
      }
    };
    const layers = this.layers.map((l, i): LayerSpec => {
      const spec: LayerSpec = { units: num(l.units, `units of layer ${i + 1}`, { integer: true, min: 1, max: 1 << 16 }, 1), activation: l.activation.value as Activation };
      const dropout = i < this.layers.length - 1 ? fieldNumber(l.dropout, undefined) : undefined;
      if (dropout !== undefined && dropout !== 0) spec.dropout = dropout;
      if (i < this.layers.length - 1 && l.residual.checked && !l.residual.disabled) spec.residual = true;
      if (i < this.layers.length - 1 && (l.norm.value === 'layer' || l.norm.value === 'batch')) spec.norm = l.norm.value;
      try {
        const alpha = readAlpha(l.alpha, spec.activation, i + 1);
        if (alpha !== undefined) spec.alpha = alpha;
      } catch (e) {
        errors.push({ input: l.alpha, message: (e as Error).message });
      }
      return spec;
    });
    const settings: Settings = {
      layers,
      loss: f.loss.value as LossName,
      optimizer: f.optimizer.value as Settings['optimizer'],
      learningRate: this.schedule.read(),
      batchSize: num(f.batchSize, 'batch size', { integer: true, min: 1 }, 32),
      epochs: num(f.epochs, 'epochs', { integer: true, min: 1, max: 1_000_000 }, 1),
      l2: num(f.l2, 'L2', { min: 0 }, 0),
      l1: num(f.l1, 'L1', { min: 0 }, 0),
      ...(f.loss.value === 'huber' ? { huberDelta: num(f.huberDelta, 'Huber δ', { min: 0, exclusiveMin: true }, 1) } : {}),
      seed: num(f.seed, 'seed', { integer: true, min: 0, max: 0xffffffff }, 1),
      initializer: f.initializer.value as Settings['initializer'],
      validationSplit: num(f.validationSplit, 'validation split', { min: 0, max: 0.9 }, 0),
      backend: this.backend,
      freezeBias: f.freezeBias.checked,
    };
    const earlyStopping = this.stopping.read();
    if (earlyStopping) settings.earlyStopping = earlyStopping;
    for (const e of checkFeatures(settings)) errors.push({ input: this.fieldFor(e.field), message: e.message });
    const oneRow = oneRowBatchNorm(layers, settings.batchSize);
    if (oneRow) errors.push({ input: f.batchSize, message: oneRow });
    return { settings, errors };
  }

  /** The field a library option path names (`layers[0].dropout`, `learningRate.factor`, `earlyStopping.patience`). */
  private fieldFor(path: string): HTMLElement {
    const layer = /^layers\[(\d+)\]/.exec(path);
    if (layer) return this.layers[Number(layer[1])]?.dropout ?? this.layerRows;
    return path.startsWith('learningRate') ? this.schedule.fieldFor(path) : this.stopping.fieldFor(path);
  }
}
