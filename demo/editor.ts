import type { Activation, BackendName, LossName } from '../src';
import type { Settings } from './presets';
import { el } from './dom';

const ACTIVATIONS: Activation[] = ['relu', 'sigmoid', 'tanh', 'linear', 'softmax'];
const LOSSES: { value: LossName; label: string }[] = [
  { value: 'categoricalCrossEntropy', label: 'categorical cross-entropy (softmax)' },
  { value: 'binaryCrossEntropy', label: 'binary cross-entropy (sigmoid)' },
  { value: 'mse', label: 'mean squared error' },
  { value: 'sse', label: 'sum of squared errors ×½' },
];
const OPTIMIZERS: Settings['optimizer'][] = ['sgd', 'momentum', 'adam'];
const INITIALIZERS: Settings['initializer'][] = ['xavier', 'he', 'normal', 'uniform'];
const BACKENDS: { value: BackendName; label: string }[] = [
  { value: 'auto', label: 'auto' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'cpu', label: 'CPU' },
];

const select = <T extends string>(id: string, options: { value: T; label: string }[]): HTMLSelectElement =>
  el('select', { id }, ...options.map((o) => el('option', { value: o.value }, o.label)));

const numberInput = (id: string, attrs: Record<string, string> = {}): HTMLInputElement => el('input', { id, type: 'number', ...attrs });

/** Reads a number field, throwing a message that names the field when it is not valid. */
function readNumber(input: HTMLInputElement, label: string, rule: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean }): number {
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

/**
 * The architecture and training-settings editor: layers (units and activation each), loss,
 * optimizer, learning rate, batch size, epochs, L2, seed, initializer, validation split and
 * backend. The output layer's size is fixed by the dataset.
 */
export class ArchitectureEditor {
  private readonly layerRows: HTMLElement;
  private layers: { units: HTMLInputElement; activation: HTMLSelectElement }[] = [];
  private outputUnits = 1;
  private readonly fields = {
    loss: select('loss', LOSSES),
    optimizer: select('optimizer', OPTIMIZERS.map((o) => ({ value: o, label: o }))),
    learningRate: numberInput('learning-rate', { step: 'any', min: '0' }),
    batchSize: numberInput('batch-size', { step: '1', min: '1' }),
    epochs: numberInput('epochs', { step: '1', min: '1' }),
    l2: numberInput('l2', { step: 'any', min: '0' }),
    seed: numberInput('seed', { step: '1', min: '0' }),
    initializer: select('initializer', INITIALIZERS.map((o) => ({ value: o, label: o }))),
    validationSplit: numberInput('validation-split', { step: '0.05', min: '0', max: '0.9' }),
    freezeBias: el('input', { id: 'freeze-bias', type: 'checkbox' }),
  };
  private readonly backendInputs: HTMLInputElement[];

  /** Builds the editor inside `root`; `onChange` runs after any edit. */
  constructor(root: HTMLElement, private readonly onChange: () => void) {
    this.layerRows = el('div', { class: 'layers' });
    const add = el('button', { type: 'button', id: 'add-layer', class: 'small' }, '+ hidden layer');
    add.addEventListener('click', () => {
      const last = this.layers.length - 1;
      const units = this.layers[last - 1]?.units.value ?? '16';
      this.insertLayer(last, Number(units) || 16, 'relu');
      this.onChange();
    });
    this.backendInputs = BACKENDS.map((b) => el('input', { type: 'radio', name: 'backend', value: b.value, id: `backend-${b.value}` }));
    const f = this.fields;
    const row = (label: string, input: HTMLElement, hint?: string) =>
      el('label', { class: 'field' }, el('span', {}, label), input, ...(hint ? [el('small', {}, hint)] : []));
    root.append(
      el('div', { class: 'layer-head' }, el('span', {}, 'layer'), el('span', {}, 'units'), el('span', {}, 'activation'), el('span', {})),
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
        row('seed', f.seed),
        row('initializer', f.initializer),
        row('validation split', f.validationSplit),
        el('label', { class: 'field checkbox' }, f.freezeBias, el('span', {}, 'freeze biases')),
      ),
      el(
        'fieldset',
        { class: 'backend' },
        el('legend', {}, 'backend'),
        ...BACKENDS.map((b, i) => el('label', {}, this.backendInputs[i], ` ${b.label}`)),
      ),
    );
    root.addEventListener('input', () => this.onChange());
    root.addEventListener('change', () => this.onChange());
  }

  private makeLayer(units: number, activation: Activation): { units: HTMLInputElement; activation: HTMLSelectElement } {
    const u = el('input', { type: 'number', min: '1', step: '1', value: String(units), class: 'units' });
    const a = el('select', { class: 'activation' }, ...ACTIVATIONS.map((x) => el('option', { value: x }, x)));
    a.value = activation;
    return { units: u, activation: a };
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
          this.onChange();
        });
        return el('div', { class: 'layer' }, el('span', {}, output ? 'output' : `hidden ${i + 1}`), l.units, l.activation, remove);
      }),
    );
  }

  /** Sets the output layer's size (the dataset's number of outputs). */
  setOutputUnits(n: number): void {
    this.outputUnits = n;
    this.render();
  }

  /** Shows `s` in the form. */
  set(s: Settings): void {
    this.layers = s.layers.map((l) => this.makeLayer(l.units, l.activation));
    const f = this.fields;
    f.loss.value = s.loss;
    f.optimizer.value = s.optimizer;
    f.learningRate.value = String(s.learningRate);
    f.batchSize.value = String(s.batchSize);
    f.epochs.value = String(s.epochs);
    f.l2.value = String(s.l2);
    f.seed.value = String(s.seed);
    f.initializer.value = s.initializer;
    f.validationSplit.value = String(s.validationSplit);
    f.freezeBias.checked = s.freezeBias ?? false;
    for (const b of this.backendInputs) b.checked = b.value === s.backend;
    this.render();
  }

  /** Shows an imported model's structure (layers, loss, L2, seed, initializer) in the form. */
  setModel(m: { layers: Settings['layers']; loss: LossName; l2?: number; seed?: number; freezeBias?: boolean }): void {
    const current = this.read(false);
    this.set({ ...current, layers: m.layers, loss: m.loss, l2: m.l2 ?? 0, seed: m.seed ?? current.seed, freezeBias: m.freezeBias ?? false });
  }

  /** The backend chosen in the form. */
  get backend(): BackendName {
    return (this.backendInputs.find((b) => b.checked)?.value ?? 'auto') as BackendName;
  }

  /** The settings in the form; throws a message naming the first invalid field. */
  get(): Settings {
    return this.read(true);
  }

  private read(strict: boolean): Settings {
    const f = this.fields;
    const num = (input: HTMLInputElement, label: string, rule: Parameters<typeof readNumber>[2], fallback: number) => {
      try {
        return readNumber(input, label, rule);
      } catch (e) {
        if (strict) throw e;
        return fallback;
      }
    };
    return {
      layers: this.layers.map((l, i) => ({
        units: num(l.units, `units of layer ${i + 1}`, { integer: true, min: 1, max: 1 << 16 }, 1),
        activation: l.activation.value as Activation,
      })),
      loss: f.loss.value as LossName,
      optimizer: f.optimizer.value as Settings['optimizer'],
      learningRate: num(f.learningRate, 'learning rate', { min: 0, exclusiveMin: true }, 0.01),
      batchSize: num(f.batchSize, 'batch size', { integer: true, min: 1 }, 32),
      epochs: num(f.epochs, 'epochs', { integer: true, min: 1, max: 1_000_000 }, 1),
      l2: num(f.l2, 'L2', { min: 0 }, 0),
      seed: num(f.seed, 'seed', { integer: true, min: 0, max: 0xffffffff }, 1),
      initializer: f.initializer.value as Settings['initializer'],
      validationSplit: num(f.validationSplit, 'validation split', { min: 0, max: 0.9 }, 0),
      backend: this.backend,
      freezeBias: f.freezeBias.checked,
    };
  }
}
