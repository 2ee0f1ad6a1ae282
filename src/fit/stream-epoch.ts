/**
 * One epoch of `fitDataset`: the source cut into blocks (src/fit/blocks.ts), each trained by the
 * backend in one of its two block slots while the next is read and loaded into the other, with
 * the per-step rates, dropout key and clipping of `fit` (src/fit/control.ts) and each block's
 * sample weights.
 */
import { type BatchReporter, type BatchStats, type EpochPlan, type TrainerBackend, computesInFloat32 } from '../core/trainer';
import { type Dense, largestMagnitude } from '../core/data';
import type { DatasetSource } from '../streams/chunk';
import type { FitHost } from './loop';
import type { FitControl } from './control';
import type { StreamPlan } from './stream-plan';
import { batchReporter, divergenceError } from './report';
import { GpuDeviceLostError } from '../core/errors';
import { type Block, streamBlocks } from './blocks';
import { refuseOneRowBatches } from '../core/norm-params';

/**
 * Σ_j Σ_r (y_rj − ȳ_j)² of an epoch's targets, gathered block by block (each block's mean and sum
 * of squares merged as Chan, Golub and LeVeque's pairwise update does), R²'s denominator.
 *
 * @example
 * const spread = new EpochSpread(); spread.add(block.y); spread.total;
 */
export class EpochSpread {
  private n = 0;
  private mean: Float64Array | null = null;
  private m2: Float64Array | null = null;

  /** Adds a block's targets. */
  add(y: Dense): void {
    if (y.rows === 0) return;
    const mean = (this.mean ??= new Float64Array(y.cols));
    const m2 = (this.m2 ??= new Float64Array(y.cols));
    for (let j = 0; j < y.cols; j++) {
      let mb = 0;
      for (let r = 0; r < y.rows; r++) mb += y.data[r * y.cols + j];
      mb /= y.rows;
      let sb = 0;
      for (let r = 0; r < y.rows; r++) sb += (y.data[r * y.cols + j] - mb) ** 2;
      const d = mb - mean[j];
      const n = this.n + y.rows;
      m2[j] += sb + (d * d * this.n * y.rows) / n;
      mean[j] += (d * y.rows) / n;
    }
    this.n += y.rows;
  }

  /** The spread over every row added. */
  get total(): number {
    return this.m2 ? this.m2.reduce((a, v) => a + v, 0) : 0;
  }
}

/**
 * One pass over the source, cut into blocks of whole batches (see {@link streamBlocks}): while
 * one block trains in one of the backend's two slots, the next is read, checked and loaded into
 * the other. Stops after the current batch (CPU) or group of batches (WebGPU) when `signal` aborts.
 * `betweenBlocks` runs after each block (`last`: the epoch's last), where 'auto' may move the run.
 *
 * @example
 * const { stats, stopped, spread } = await streamEpoch(host, source, plan, control, 1, null, signal);
 */
export async function streamEpoch(
  host: FitHost, source: DatasetSource, plan: StreamPlan, control: FitControl, epoch: number, knownBatches: number | null, signal?: AbortSignal,
  betweenBlocks?: (steps: number, ms: number, batch: number, last: boolean) => Promise<void>,
): Promise<{ stats: BatchStats[]; stopped: boolean; spread: number }> {
  const blocks = streamBlocks(source, {
    net: host.net, float32: computesInFloat32(host.backend().name), batchSize: plan.batchSize, window: plan.window, shuffle: plan.shuffle, seed: host.seed,
    epochIndex: host.progress.epochsTrained, classWeights: plan.classWeights,
  });
  const stats: BatchStats[] = [];
  const spread = new EpochSpread();
  const modelEpoch = host.progress.epochsTrained;
  // the next block: read, checked and loaded into `slot` while the current one trains (a lost
  // device leaves it unloaded: it is loaded into the backend that trains it, below)
  type Fetched = { block: Block; loadedInto: TrainerBackend | null };
  const fetchInto = async (slot: number): Promise<Fetched | null> => {
    const r = await blocks.next();
    if (r.done) return null;
    const backend = host.backend();
    try {
      await loadBlock(backend, slot, r.value, plan.batchSize);
      return { block: r.value, loadedInto: backend };
    } catch (e) {
      if (e instanceof GpuDeviceLostError) return { block: r.value, loadedInto: null };
      throw e;
    }
  };
  let slot = 0;
  let next: Promise<Fetched | null> | null = null;
  try {
    let fetched = await fetchInto(slot);
    while (fetched) {
      const { block } = fetched;
      // a stream's rows are known block by block: a last batch of one row is refused where it appears
      refuseOneRowBatches(host.net, block.x.rows, plan.batchSize, `fitDataset (epoch ${epoch}, after ${stats.length} batches)`);
      if (fetched.loadedInto !== host.backend()) await host.withFallback(() => loadBlock(host.backend(), slot, block, plan.batchSize), epoch, 'block');
      const count = Math.ceil(block.x.rows / plan.batchSize);
      const blockPlan: EpochPlan = {
        order: Uint32Array.from({ length: block.x.rows }, (_, i) => i),
        batchSize: plan.batchSize, optimizer: plan.optimizer, stepsBefore: host.progress.steps, firstBatch: stats.length,
        ...control.blockExtras(epoch, modelEpoch, stats.length, count, knownBatches),
      };
      const report = plan.hooks.onBatchEnd ? batchReporter(plan.hooks.onBatchEnd, epoch, knownBatches, stats.length) : null;
      const t0 = performance.now();
      const training = trainBlock(host, slot, block, blockPlan, report, epoch, signal);
      next = fetchInto(1 - slot);
      next.catch(() => {}); // awaited below; a failure after training failed is not a second error
      const outcome = await training;
      const kept = outcome.stats[0] ?? [];
      if (outcome.divergence) {
        host.progress.steps = Math.max(0, host.progress.steps + outcome.divergence.kept);
        const d = { ...outcome.divergence, batch: outcome.divergence.batch + stats.length };
        throw divergenceError(d, {
          epoch, batches: knownBatches, steps: host.progress.steps, learningRate: blockPlan.learningRates?.[outcome.divergence.batch] ?? blockPlan.learningRate,
          largestX: largestMagnitude(block.x).value, largestY: largestMagnitude(block.y).value, backend: host.backend().name,
        });
      }
      host.progress.steps += kept.length;
      stats.push(...kept);
      spread.add(block.y);
      if (outcome.callbackError) throw outcome.callbackError.error;
      if (outcome.stopped || signal?.aborted) return { stats, stopped: true, spread: spread.total };
      const ms = performance.now() - t0;
      fetched = await next;
      next = null;
      // 'auto' may move here: the next block, loaded into the trainer it leaves, is loaded again above
      if (betweenBlocks) await betweenBlocks(kept.length, ms, stats.length, !fetched);
      slot = 1 - slot;
    }
    return { stats, stopped: false, spread: spread.total };
  } finally {
    await next?.catch(() => {});
    await blocks.return(undefined);
  }
}

/** Loads `block` (with its weights) into `slot` of `backend`. */
function loadBlock(backend: TrainerBackend, slot: number, block: Block, batchSize: number): Promise<void> {
  const w = block.w ? (block.w.data instanceof Float64Array ? block.w.data : Float64Array.from(block.w.data)) : null;
  return backend.loadBlock(slot, block.x, block.y, batchSize, w);
}

/** `trainBlock`, moving to the CPU (from the last completed block) and retrying once if the GPU device was lost. */
async function trainBlock(host: FitHost, slot: number, block: Block, plan: EpochPlan, report: BatchReporter | null, epoch: number, signal?: AbortSignal) {
  try {
    return await host.backend().trainBlock(slot, plan, report, signal);
  } catch (err) {
    if (!(err instanceof GpuDeviceLostError)) throw err;
    await host.fallBackToCpu(err, epoch, 'block');
    await loadBlock(host.backend(), slot, block, plan.batchSize);
    return host.backend().trainBlock(slot, plan, report, signal);
  }
}
