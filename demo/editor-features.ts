// The editor's training-feature fields: the learning-rate schedule (with the fields of the chosen
// type) and early stopping, read into the shapes `fit` takes; and how a refused value is shown
// next to its field.
import type { EarlyStoppingOptions, LearningRateSchedule, Monitor } from '../src';
import { el } from './dom';

type ScheduleType = 'constant' | LearningRateSchedule['type'];

const SCHEDULES: { value: ScheduleType; label: string }[] = [
  { value: 'constant', label: 'constant' },
  { value: 'step', label: 'step (× factor every n epochs)' },
  { value: 'exponential', label: 'exponential (× decay per epoch)' },
  { value: 'cosine', label: 'cosine (with warmup)' },
  { value: 'reduceOnPlateau', label: 'reduce on plateau' },
];
/** Which fields each schedule type takes (`initial` is the η field). */
const SCHEDULE_FIELDS: Record<ScheduleType, readonly string[]> = {
  constant: [],
  step: ['every', 'factor'],
  exponential: ['decay'],
  cosine: ['warmupSteps', 'minLearningRate'],
  reduceOnPlateau: ['monitor', 'factor', 'patience', 'minLearningRate', 'minDelta'],
};
const MONITORS: Monitor[] = ['valLoss', 'valAccuracy', 'loss', 'accuracy', 'valMae', 'valR2', 'mae', 'r2'];

const numberField = (id: string, placeholder = ''): HTMLInputElement => el('input', { id, type: 'number', step: 'any', placeholder });
const monitorSelect = (id: string): HTMLSelectElement => el('select', { id }, ...MONITORS.map((m) => el('option', { value: m }, m)));
const labelled = (label: string, input: HTMLElement): HTMLLabelElement => el('label', { class: 'field' }, el('span', {}, label), input);

/**
 * A number field's value for the library: the number typed, NaN for text the browser cannot read
 * as a number, and for an empty field `empty` (undefined lets the library apply its default).
 *
 * @example
 * fieldNumber(byId<HTMLInputElement>('es-patience'), undefined); // 2, or undefined when empty
 */
export function fieldNumber(input: HTMLInputElement, empty: number | undefined): number | undefined {
  if (input.validity.badInput) return NaN;
  const raw = input.value.trim();
  return raw === '' ? empty : Number(raw);
}

const show = (input: HTMLInputElement, v: number | undefined) => (input.value = v === undefined ? '' : String(v));

/**
 * The learning-rate schedule: a type and the fields it takes; `initial` is the editor's η field.
 *
 * @example
 * const schedule = new ScheduleFields(etaInput);
 * schedule.set({ type: 'cosine', initial: 0.002, warmupSteps: 200 });
 * schedule.read(); // { type: 'cosine', initial: 0.002, warmupSteps: 200, minLearningRate: undefined }
 */
export class ScheduleFields {
  readonly type = el('select', { id: 'lr-schedule' }, ...SCHEDULES.map((s) => el('option', { value: s.value }, s.label)));
  readonly inputs = {
    every: el('input', { id: 'lr-every', type: 'number', step: '1', min: '1' }),
    factor: numberField('lr-factor', '0.1'),
    decay: numberField('lr-decay'),
    warmupSteps: el('input', { id: 'lr-warmup', type: 'number', step: '1', min: '0', placeholder: '0' }),
    minLearningRate: numberField('lr-min', '0'),
    monitor: monitorSelect('lr-monitor'),
    patience: el('input', { id: 'lr-patience', type: 'number', step: '1', min: '0', placeholder: '10' }),
    minDelta: numberField('lr-min-delta', '0.0001'),
  };
  private readonly labels: Record<string, HTMLLabelElement>;
  readonly root: HTMLElement;

  constructor(private readonly initial: HTMLInputElement) {
    const i = this.inputs;
    this.labels = {
      every: labelled('every (epochs)', i.every),
      factor: labelled('factor', i.factor),
      decay: labelled('decay per epoch', i.decay),
      warmupSteps: labelled('warmup steps', i.warmupSteps),
      minLearningRate: labelled('min learning rate', i.minLearningRate),
      monitor: labelled('monitor', i.monitor),
      patience: labelled('patience (epochs)', i.patience),
      minDelta: labelled('min delta', i.minDelta),
    };
    this.root = el('fieldset', { class: 'feature', id: 'schedule' }, el('legend', {}, 'learning-rate schedule'), labelled('schedule', this.type), el('div', { class: 'grid2' }, ...Object.values(this.labels)));
    this.type.addEventListener('change', () => this.showFields());
  }

  private showFields(): void {
    const wanted = SCHEDULE_FIELDS[this.type.value as ScheduleType];
    for (const [k, label] of Object.entries(this.labels)) label.hidden = !wanted.includes(k);
  }

  /** Shows `lr` (a number or a schedule). */
  set(lr: number | LearningRateSchedule): void {
    const s: Partial<Record<string, unknown>> & { type: ScheduleType } = typeof lr === 'number' ? { type: 'constant' } : lr;
    this.type.value = s.type;
    this.initial.value = String(typeof lr === 'number' ? lr : lr.initial);
    const i = this.inputs;
    for (const k of ['every', 'factor', 'decay', 'warmupSteps', 'minLearningRate', 'patience', 'minDelta'] as const) show(i[k], s[k] as number | undefined);
    i.monitor.value = (s.monitor as Monitor | undefined) ?? 'valLoss';
    this.showFields();
  }

  /** The schedule in the form, as `fit` takes it (a number for 'constant'). */
  read(): number | LearningRateSchedule {
    const initial = fieldNumber(this.initial, NaN)!;
    const i = this.inputs;
    const n = (k: 'every' | 'factor' | 'decay' | 'warmupSteps' | 'minLearningRate' | 'patience' | 'minDelta') => fieldNumber(i[k], undefined);
    switch (this.type.value as ScheduleType) {
      case 'constant':
        return initial;
      case 'step':
        return { type: 'step', initial, every: n('every')!, factor: n('factor')! };
      case 'exponential':
        return { type: 'exponential', initial, decay: n('decay')! };
      case 'cosine':
        return { type: 'cosine', initial, warmupSteps: n('warmupSteps'), minLearningRate: n('minLearningRate') };
      case 'reduceOnPlateau':
        return { type: 'reduceOnPlateau', initial, monitor: i.monitor.value as Monitor, factor: n('factor'), patience: n('patience'), minLearningRate: n('minLearningRate'), minDelta: n('minDelta') };
    }
  }

  /** The field a library message about `learningRate.<field>` is about. */
  fieldFor(path: string): HTMLElement {
    const field = path.split('.')[1];
    if (field === undefined || field === 'initial') return this.initial;
    if (field === 'type') return this.type;
    return (this.inputs as Record<string, HTMLElement>)[field] ?? this.type;
  }
}

/**
 * Early stopping: on or off, and its monitor, patience, min delta and whether to restore the best weights.
 *
 * @example
 * const stopping = new EarlyStoppingFields();
 * stopping.set({ monitor: 'valLoss', patience: 2, restoreBestWeights: true });
 * stopping.read(); // { monitor: 'valLoss', patience: 2, minDelta: undefined, restoreBestWeights: true }
 */
export class EarlyStoppingFields {
  readonly on = el('input', { id: 'early-stopping', type: 'checkbox' });
  readonly inputs = {
    monitor: monitorSelect('es-monitor'),
    patience: el('input', { id: 'es-patience', type: 'number', step: '1', min: '0', placeholder: '0' }),
    minDelta: numberField('es-min-delta', '0'),
    restoreBestWeights: el('input', { id: 'es-restore', type: 'checkbox' }),
  };
  private readonly body: HTMLElement;
  readonly root: HTMLElement;

  constructor() {
    const i = this.inputs;
    this.body = el(
      'div',
      { class: 'grid2' },
      labelled('monitor', i.monitor),
      labelled('patience (epochs)', i.patience),
      labelled('min delta', i.minDelta),
      el('label', { class: 'field checkbox' }, i.restoreBestWeights, el('span', {}, 'restore best weights')),
    );
    this.root = el('fieldset', { class: 'feature', id: 'early-stopping-group' }, el('legend', {}, el('label', {}, this.on, ' early stopping')), this.body);
    this.on.addEventListener('change', () => (this.body.hidden = !this.on.checked));
  }

  /** Shows `es` (undefined: off, with the fields at their defaults). */
  set(es: EarlyStoppingOptions | undefined): void {
    const i = this.inputs;
    this.on.checked = es !== undefined;
    i.monitor.value = es?.monitor ?? 'valLoss';
    show(i.patience, es?.patience);
    show(i.minDelta, es?.minDelta);
    i.restoreBestWeights.checked = es?.restoreBestWeights ?? false;
    this.body.hidden = !this.on.checked;
  }

  /** Early stopping as `fit` takes it, or undefined when off. */
  read(): EarlyStoppingOptions | undefined {
    if (!this.on.checked) return undefined;
    const i = this.inputs;
    return { monitor: i.monitor.value as Monitor, patience: fieldNumber(i.patience, undefined), minDelta: fieldNumber(i.minDelta, undefined), restoreBestWeights: i.restoreBestWeights.checked };
  }

  /** The field a library message about `earlyStopping.<field>` is about. */
  fieldFor(path: string): HTMLElement {
    return (this.inputs as Record<string, HTMLElement>)[path.split('.')[1] ?? ''] ?? this.on;
  }
}

/** A refused value and the field it belongs to. */
export interface ShownError {
  input: HTMLElement;
  message: string;
}

/**
 * Shows each message right after its field (inside `root`), marks the field invalid, and clears
 * the marks of fields that are fine again.
 *
 * @example
 * showFieldErrors(byId('editor'), [{ input: dropoutInput, message: 'layers[0].dropout must be in [0, 1) …, got 1' }]);
 */
export function showFieldErrors(root: HTMLElement, errors: ShownError[]): void {
  for (const old of root.querySelectorAll('.field-error')) old.remove();
  for (const input of root.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  for (const { input, message } of errors) {
    input.setAttribute('aria-invalid', 'true');
    // in a layer row (a grid), the message takes a line of its own under the row
    const anchor = input.closest('.layer') ?? input;
    anchor.after(el('small', { class: 'field-error', role: 'alert' }, message));
  }
}
