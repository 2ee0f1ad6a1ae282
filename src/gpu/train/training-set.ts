import { USAGE } from '../usage';
import type { Dense } from '../../core/data';
import type { EpochPlan } from '../../core/trainer';
import type { GpuContext } from '../context';
import type { DeviceMatrix } from '../kernels/device-matrix';
import { bindingLimit } from '../limits';
import { allocateMatrix, checkDataFits, elementOf, uploadMatrix, writeMatrix } from './dataset';

/** Steps per submission when several short epochs are trained together. */
const GROUP_STEPS = 512;
/** Most epochs per submission. */
const MAX_GROUP_EPOCHS = 128;

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/**
 * Epochs of `batches` batches that one submission may train (short epochs are grouped).
 *
 * @example
 * epochsPerSubmission(4); // 128
 */
export function epochsPerSubmission(batches: number): number {
  return Math.max(1, Math.min(MAX_GROUP_EPOCHS, Math.floor(GROUP_STEPS / batches)));
}

/** What a training set's device buffers hold, and how it is batched. */
interface TrainingSetParts {
  X: DeviceMatrix;
  Y: DeviceMatrix;
  /** One weight per row, or null. */
  weights: DeviceMatrix | null;
  /** The sample orders of `groupEpochs` epochs, epoch k's at row k·n. */
  order: GPUBuffer;
  n: number;
  batchSize: number;
  groupEpochs: number;
}

/**
 * A training set resident on the device: inputs, targets, sample weights and the sample orders of
 * the epochs one submission trains. Uploaded whole ({@link DeviceTrainingSet.upload}), or a block
 * slot that streamed blocks are loaded into ({@link DeviceTrainingSet.allocate}).
 *
 * @example
 * const set = DeviceTrainingSet.upload(ctx, x, y, 32, null);
 */
export class DeviceTrainingSet {
  readonly X: DeviceMatrix;
  readonly Y: DeviceMatrix;
  readonly weights: DeviceMatrix | null;
  readonly order: GPUBuffer;
  readonly batchSize: number;
  /** Most epochs one submission takes (the order buffer holds that many). */
  readonly groupEpochs: number;
  /** Rows held now (a streamed block may fill fewer than the capacity). */
  n: number;
  /** Batches of the rows held now. */
  batches: number;

  private constructor(private readonly ctx: GpuContext, parts: TrainingSetParts) {
    this.X = parts.X;
    this.Y = parts.Y;
    this.weights = parts.weights;
    this.order = parts.order;
    this.n = parts.n;
    this.batchSize = parts.batchSize;
    this.groupEpochs = parts.groupEpochs;
    this.batches = Math.ceil(parts.n / parts.batchSize);
  }

  /** Checks sizes and uploads `x`, `y` and `sampleWeights`, with room for as many epochs' orders as one binding holds. */
  static upload(ctx: GpuContext, x: Dense, y: Dense, batchSize: number, sampleWeights: Float64Array | null): DeviceTrainingSet {
    const n = x.rows;
    const bs = Math.min(batchSize, n);
    checkDataFits(ctx, x, y, bs, 'training');
    // as many epochs' sample orders as one binding holds (checkDataFits made sure of one)
    const groupEpochs = Math.max(1, Math.min(epochsPerSubmission(Math.ceil(n / bs)), Math.floor(bindingLimit(ctx.device, ctx.maxBindingBytes) / (n * 4))));
    const X = uploadMatrix(ctx, 'training inputs', x);
    let Y: DeviceMatrix;
    try {
      Y = uploadMatrix(ctx, 'training targets', y);
    } catch (e) {
      for (const b of X.buffers) ctx.buffers.destroy(b);
      throw e;
    }
    const order = ctx.buffers.create('order', n * groupEpochs * 4, STORAGE);
    const weights = sampleWeights ? uploadMatrix(ctx, 'sample weights', { data: sampleWeights, rows: sampleWeights.length, cols: 1 }) : null;
    return new DeviceTrainingSet(ctx, { X, Y, weights, order, n, batchSize: bs, groupEpochs });
  }

  /**
   * Room for blocks of up to `capacity` rows shaped like `x`, `y` (same columns and form: bytes
   * with the same scale and offset, or float), with a weight per row when `weighted`, empty until
   * {@link DeviceTrainingSet.load}.
   */
  static allocate(ctx: GpuContext, capacity: number, x: Dense, y: Dense, batchSize: number, weighted = false): DeviceTrainingSet {
    const bs = Math.min(batchSize, capacity);
    checkDataFits(ctx, { ...x, rows: capacity } as Dense, { ...y, rows: capacity } as Dense, bs, 'training');
    const form = (d: Dense) => [elementOf(d), d.bytes?.scale ?? 1, d.bytes?.offset ?? 0] as const;
    const X = allocateMatrix(ctx, 'streamed inputs', capacity, x.cols, ...form(x));
    let Y: DeviceMatrix;
    try {
      Y = allocateMatrix(ctx, 'streamed targets', capacity, y.cols, ...form(y));
    } catch (e) {
      for (const b of X.buffers) ctx.buffers.destroy(b);
      throw e;
    }
    let order: GPUBuffer;
    let weights: DeviceMatrix | null = null;
    try {
      order = ctx.buffers.create('order', capacity * 4, STORAGE);
      if (weighted) weights = allocateMatrix(ctx, 'streamed sample weights', capacity, 1, 'f32');
    } catch (e) {
      for (const b of [...X.buffers, ...Y.buffers]) ctx.buffers.destroy(b);
      throw e;
    }
    const set = new DeviceTrainingSet(ctx, { X, Y, weights, order, n: capacity, batchSize: bs, groupEpochs: 1 });
    set.n = 0;
    set.batches = 0;
    return set;
  }

  /** Device bytes of the data (inputs, targets, sample weights and sample order). */
  get dataBytes(): number {
    return [...this.X.buffers, ...this.Y.buffers, ...(this.weights?.buffers ?? []), this.order].reduce((a, b) => a + b.size, 0);
  }

  /** Most rows this set holds. */
  get capacity(): number {
    return this.X.capacity;
  }

  /** Rows in batch `b` of the rows held now (the last one may be short). */
  batchRows(b: number): number {
    return Math.min(this.batchSize, this.n - b * this.batchSize);
  }

  /** True when `x`, `y` (and weights `w`, or none) fit this block slot: at most its capacity, its columns and form. */
  holds(x: Dense, y: Dense, w: Float64Array | null = null): boolean {
    const same = (M: DeviceMatrix, d: Dense) => d.cols === M.cols && elementOf(d) === M.element && (!d.bytes || (d.bytes.scale === M.scale && d.bytes.offset === M.offset));
    const weightsFit = w === null ? this.weights === null : this.weights !== null && w.length === x.rows;
    return x.rows <= this.X.capacity && same(this.X, x) && same(this.Y, y) && x.rows === y.rows && this.groupEpochs === 1 && weightsFit;
  }

  /** Writes a block's rows and weights (queued behind the work submitted before). */
  load(x: Dense, y: Dense, w: Float64Array | null = null): void {
    if (!this.holds(x, y, w)) throw new Error(`a block of ${x.rows} rows does not fit this run (capacity ${this.X.capacity}, or another shape)`);
    writeMatrix(this.ctx, this.X, x, 0);
    writeMatrix(this.ctx, this.Y, y, 0);
    if (w && this.weights) writeMatrix(this.ctx, this.weights, { data: w, rows: x.rows, cols: 1 }, 0);
    this.n = x.rows;
    this.batches = Math.ceil(x.rows / this.batchSize);
  }

  /** Writes `plan`'s sample order as epoch `k`'s (at row k·n of the order buffer). */
  writeOrder(plan: EpochPlan, k: number): void {
    this.ctx.device.queue.writeBuffer(this.order, k * this.n * 4, plan.order.buffer, plan.order.byteOffset, plan.order.byteLength);
  }

  /** Frees the set's buffers. */
  release(): void {
    for (const b of [...this.X.buffers, ...this.Y.buffers, ...(this.weights?.buffers ?? []), this.order]) this.ctx.buffers.destroy(b);
  }
}
