/**
 * What `traceStep` and `gradientCheck` add to a plain step: a fixed dropout mask (the one the
 * trainers draw, src/core/dropout-mask.ts, from a seed, an epoch and a batch) and one weight per
 * row, both applied as the CPU trainer applies them (src/cpu/network.ts).
 */
import { type NetSpec, checkInteger, outputSize } from '../core/config';
import { batchDropKey, epochDropKey } from '../core/dropout-mask';
import { describeNonNumber, describeValue, isArray, or, readList, readRecord, typedArrayName } from '../core/inspect';
import { type ForwardPass, type Gradients, averageGradients, backward, forward } from '../cpu/network';
import { lossSum } from '../cpu/losses';
import { type Params, weightPenalty } from '../core/params';

/**
 * The options of a traced or checked step: `dropout` fixes the mask to the one `fit` draws at
 * batch `batch` (default 0) of the model's epoch `epoch` (default 0) with seed `seed`;
 * `sampleWeight` is one weight ≥ 0 per row, multiplying its loss and gradient.
 *
 * @example
 * const o: StepExtrasOptions = { dropout: { seed: 7 }, sampleWeight: [1, 2, 0.5] };
 */
export interface StepExtrasOptions {
  dropout?: { seed: number; epoch?: number; batch?: number };
  sampleWeight?: ArrayLike<number>;
}

/**
 * The resolved extras: the step's dropout key (undefined: no dropout, as in inference) and the rows' weights.
 *
 * @example
 * const { dropKey, weights }: StepExtras = resolveStepExtras(o, net, 3, 'traceStep options');
 */
export interface StepExtras {
  dropKey?: number;
  weights: Float64Array | null;
}

/** Checks `dropout` (`{seed, epoch?, batch?}`, integers) and turns it into the step's key. */
function dropKeyOf(v: unknown, where: string): number {
  const d = readRecord(v, `${where}.dropout`, ['seed', 'epoch', 'batch'], '{seed, epoch?, batch?}');
  const seed = checkInteger(`${where}.dropout.seed`, d.seed, 0, 0xffffffff);
  const epoch = checkInteger(`${where}.dropout.epoch`, or(d.epoch, 0), 0, 0xffffffff);
  const batch = checkInteger(`${where}.dropout.batch`, or(d.batch, 0), 0, 0xffffffff);
  return batchDropKey(epochDropKey(seed, epoch), batch);
}

/** Checks `sampleWeight`: `rows` finite numbers ≥ 0 (an array or a typed array). */
function weightsOf(v: unknown, rows: number, where: string): Float64Array {
  const name = `${where}.sampleWeight`;
  if (!typedArrayName(v) && !isArray(v)) throw new TypeError(`${name} must be an array of ${rows} weights (one per row of x), got ${describeValue(v)}`);
  const list: ArrayLike<unknown> = typedArrayName(v) ? (v as ArrayLike<number>) : readList(v, name, rows + 1);
  if (list.length !== rows) throw new RangeError(`${name} must have one weight per row of x (${rows}), got ${list.length}`);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const w = list[i];
    if (typeof w !== 'number') throw new TypeError(`${name}[${i}] must be a finite number >= 0, got ${describeNonNumber(w)}`);
    if (!(w >= 0 && w - w === 0)) throw new RangeError(`${name}[${i}] must be a finite number >= 0, got ${describeValue(w)}`);
    out[i] = w;
  }
  return out;
}

/**
 * Validates the step extras in `o`, the caller's options record (read with `readRecord`, named
 * `where`), for `rows` rows of `net`.
 *
 * @example
 * resolveStepExtras({ dropout: { seed: 1 } }, net, 4, 'gradientCheck options'); // { dropKey, weights: null }
 */
export function resolveStepExtras(o: Record<string, unknown>, net: NetSpec, rows: number, where: string): StepExtras {
  const extras: StepExtras = { weights: o.sampleWeight === undefined ? null : weightsOf(o.sampleWeight, rows, where) };
  if (o.dropout !== undefined) extras.dropKey = dropKeyOf(o.dropout, where);
  if (extras.dropKey !== undefined && !net.layers.some((l) => (l.dropout ?? 0) > 0)) {
    throw new RangeError(`${where}.dropout fixes a dropout mask, but no layer of this model has dropout > 0`);
  }
  return extras;
}

/** The forward pass with the extras' mask. */
function passWith(net: NetSpec, p: Params, x: ArrayLike<number>, rows: number, extras: StepExtras): ForwardPass {
  return forward(net, p, x, rows, extras.dropKey === undefined ? { training: true } : { dropKey: extras.dropKey, training: true });
}

/** J = (1/m)·Σ w_r·loss_r + λ/(2m)·ΣW² of a forward pass. */
function objectiveOf(net: NetSpec, p: Params, pass: ForwardPass, y: ArrayLike<number>, rows: number, weights: Float64Array | null): number {
  const out = Float64Array.from(pass.acts[pass.acts.length - 1]);
  return lossSum(net.loss, out, y, rows, outputSize(net), weights, net.huberDelta) / rows + weightPenalty(net, p, rows);
}

/**
 * One step's forward pass, objective J = (1/m)·Σ w_r·loss_r + the L2 and L1 terms and averaged gradients,
 * with the extras' mask and weights, from the CPU trainer's functions (`deltas` gets each layer's δ).
 *
 * @example
 * const { loss, grads } = stepWith(net, p, x, y, rows, extras);
 */
export function stepWith(
  net: NetSpec, p: Params, x: ArrayLike<number>, y: ArrayLike<number>, rows: number, extras: StepExtras, deltas?: Float64Array[],
): { pass: ForwardPass; loss: number; grads: Gradients } {
  const pass = passWith(net, p, x, rows, extras);
  const loss = objectiveOf(net, p, pass, y, rows, extras.weights);
  const grads = averageGradients(net, p, backward(net, p, pass.acts, y, rows, deltas, { pass, weights: extras.weights }), rows);
  return { pass, loss, grads };
}

/**
 * The objective alone (see {@link stepWith}), for central differences.
 *
 * @example
 * const J = objectiveWith(net, p, x, y, rows, extras);
 */
export function objectiveWith(net: NetSpec, p: Params, x: ArrayLike<number>, y: ArrayLike<number>, rows: number, extras: StepExtras): number {
  return objectiveOf(net, p, passWith(net, p, x, rows, extras), y, rows, extras.weights);
}
