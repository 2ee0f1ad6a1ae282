import { type StepTrace, type Weights, traceStep } from '../src';
import { el } from './dom';
import { TUTORIAL_CONFIG, TUTORIAL_PARAMS, TUTORIAL_SAMPLE } from './presets';

/** The tutorial's names w1..w8 for entries of `weights[layer][input][unit]`. */
export const WEIGHT_NAMES: { name: string; layer: number; from: number; to: number; edge: string }[] = [
  { name: 'w1', layer: 0, from: 0, to: 0, edge: 'i1 → h1' },
  { name: 'w2', layer: 0, from: 1, to: 0, edge: 'i2 → h1' },
  { name: 'w3', layer: 0, from: 0, to: 1, edge: 'i1 → h2' },
  { name: 'w4', layer: 0, from: 1, to: 1, edge: 'i2 → h2' },
  { name: 'w5', layer: 1, from: 0, to: 0, edge: 'h1 → o1' },
  { name: 'w6', layer: 1, from: 1, to: 0, edge: 'h2 → o1' },
  { name: 'w7', layer: 1, from: 0, to: 1, edge: 'h1 → o2' },
  { name: 'w8', layer: 1, from: 1, to: 1, edge: 'h2 → o2' },
];

const n9 = (v: number) => v.toFixed(9);

type Stage = 'forward' | 'backward' | 'update';
const STAGES: Stage[] = ['forward', 'backward', 'update'];

const table = (caption: string, head: string[], rows: (string | number)[][], id: string) =>
  el(
    'table',
    { class: 'trace', id },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el(i === 0 ? 'th' : 'td', {}, typeof c === 'number' ? n9(c) : c))))),
  );

/**
 * Steps through the 2-2-2 worked example one stage at a time: the forward values (net and out
 * of h1, h2, o1, o2 and the error), the backward values (deltas and ∂E/∂w), and the update
 * (new w1..w8), using the library's `traceStep`.
 */
export class TutorialView {
  private weights: Weights = structuredClone(TUTORIAL_PARAMS);
  private step = 0;
  private stage = 0;
  private trace: StepTrace | null = null;
  /** The η the current trace was computed with (the field may have changed since). */
  private traceRate = 0.5;
  private readonly body = el('div', { class: 'trace-body' });
  private readonly next = el('button', { type: 'button', id: 'tutorial-next', class: 'primary' }, '');
  private readonly rate = el('input', { type: 'number', id: 'tutorial-rate', value: '0.5', step: 'any', min: '0' });
  private readonly error = el('p', { class: 'error' });

  constructor(root: HTMLElement) {
    const reset = el('button', { type: 'button', id: 'tutorial-reset' }, 'Reset to the tutorial weights');
    reset.addEventListener('click', () => this.reset());
    this.next.addEventListener('click', () => this.advance());
    root.append(
      el(
        'p',
        { class: 'note' },
        'Inputs i1 = 0.05, i2 = 0.10, targets 0.01 and 0.99; sigmoid everywhere, E = Σ ½(target − out)², biases b1 = 0.35 and b2 = 0.60 held fixed. ',
        'Each click shows the next stage of one gradient-descent step, computed in float64 by traceStep().',
      ),
      el('div', { class: 'row' }, el('label', {}, 'η ', this.rate), this.next, reset),
      this.error,
      this.body,
    );
    this.reset();
  }

  /** Back to the tutorial's starting weights, before the forward pass. */
  reset(): void {
    this.weights = structuredClone(TUTORIAL_PARAMS);
    this.step = 0;
    this.stage = -1;
    this.trace = null;
    this.render();
  }

  private advance(): void {
    this.error.textContent = '';
    const startsStep = this.stage === -1 || (this.stage === STAGES.length - 1 && this.trace);
    const raw = this.rate.value.trim();
    const rate = Number(raw);
    if (startsStep && (raw === '' || !Number.isFinite(rate) || rate <= 0)) {
      // checked before anything moves, so the tables keep showing the η they were computed with
      this.error.textContent = `η must be a positive number (gradient descent steps against the gradient), got '${raw}'`;
      return;
    }
    if (this.stage === STAGES.length - 1 && this.trace) {
      // the next step starts from the updated weights
      this.weights = this.trace.after;
      this.step++;
      this.stage = -1;
    }
    if (this.stage === -1) {
      try {
        this.trace = traceStep(TUTORIAL_CONFIG, this.weights, TUTORIAL_SAMPLE.x, TUTORIAL_SAMPLE.y, rate);
        this.traceRate = rate;
      } catch (e) {
        this.error.textContent = (e as Error).message;
        return;
      }
    }
    this.stage++;
    this.render();
  }

  private render(): void {
    const labels = ['Forward pass', 'Backward pass', 'Update the weights'];
    this.next.textContent = this.stage < 0 ? `Step ${this.step + 1}: forward pass` : this.stage < 2 ? `Step ${this.step + 1}: ${labels[this.stage + 1].toLowerCase()}` : `Step ${this.step + 2}: forward pass`;
    const parts: HTMLElement[] = [];
    const w = this.weights;
    parts.push(
      table(
        `Weights at the start of step ${this.step + 1}`,
        ['', 'edge', 'value'],
        WEIGHT_NAMES.map((n) => [n.name, n.edge, w.weights[n.layer][n.from][n.to]]),
        'trace-weights',
      ),
    );
    const t = this.trace;
    if (t && this.stage >= 0) {
      const [h, o] = t.layers;
      const target = t.target[0];
      const e = o.a[0].map((a, k) => 0.5 * (target[k] - a) ** 2);
      parts.push(
        table(
          `1. Forward pass (step ${this.step + 1})`,
          ['', 'net', 'out'],
          [
            ['h1', h.z[0][0], h.a[0][0]],
            ['h2', h.z[0][1], h.a[0][1]],
            ['o1', o.z[0][0], o.a[0][0]],
            ['o2', o.z[0][1], o.a[0][1]],
          ],
          'trace-forward',
        ),
        table('Error', ['', 'value'], [['E_o1', e[0]], ['E_o2', e[1]], ['E_total', t.loss]], 'trace-error'),
      );
    }
    if (t && this.stage >= 1) {
      const [h, o] = t.layers;
      parts.push(
        table(
          '2. Backward pass: δ = ∂E/∂net',
          ['', 'δ'],
          [
            ['o1', o.delta[0][0]],
            ['o2', o.delta[0][1]],
            ['h1', h.delta[0][0]],
            ['h2', h.delta[0][1]],
          ],
          'trace-deltas',
        ),
        table('∂E/∂w = δ(to) · out(from)', ['', 'edge', '∂E/∂w'], WEIGHT_NAMES.map((n) => [n.name, n.edge, t.layers[n.layer].gradWeights[n.from][n.to]]), 'trace-gradients'),
      );
    }
    if (t && this.stage >= 2) {
      parts.push(
        table(
          `3. Update: w ← w − η·∂E/∂w (η = ${this.traceRate})`,
          ['', 'before', 'after'],
          WEIGHT_NAMES.map((n) => [n.name, t.before.weights[n.layer][n.from][n.to], t.after.weights[n.layer][n.from][n.to]]),
          'trace-update',
        ),
        el('p', { id: 'trace-loss-after' }, `E_total after the step: ${n9(t.lossAfter)} (was ${n9(t.loss)})`),
      );
    }
    this.body.replaceChildren(...parts);
  }
}
