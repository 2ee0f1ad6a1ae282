import { MAP_MODE_READ, USAGE } from '../usage';
import type { BatchReporter, BatchStats, Checkpoint, EpochPlan } from '../../core/trainer';
import type { Dense } from '../../core/data';
import { type Divergence, type TrainOutcome, reportSafely } from '../../core/trainer';
import { BatchUniforms, passBatches } from '../kernels/batch-uniform';
import type { GpuContext } from '../context';
import type { DeviceMatrix } from '../kernels/device-matrix';
import { allocateMatrix, checkDataFits, elementOf, uploadMatrix, writeMatrix } from './dataset';
import type { Dispatch } from '../kernels/launches';
import { bindingLimit } from '../limits';
import { type DeviceParameters, checkpointFinite } from './parameters';
import { PenaltyLaunches } from './penalty';
import { type Workspace, backwardLaunches, createWorkspace, forwardLaunches, releaseWorkspace } from './step';
import { TrainingExtras } from './training-extras';

/** Batches per submit when the caller wants per-batch reports or may abort. */
export const REPORT_GROUP = 32;
/** Steps per submission when several short epochs are trained together. */
const GROUP_STEPS = 512;
/** Most epochs per submission. */
const MAX_GROUP_EPOCHS = 128;

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** Epochs of `batches` batches that one submission may train (short epochs are grouped). */
export function epochsPerSubmission(batches: number): number {
  return Math.max(1, Math.min(MAX_GROUP_EPOCHS, Math.floor(GROUP_STEPS / batches)));
}

/**
 * One training set resident on the device, with the launches of one training step over it:
 * uploaded once by {@link TrainingRun.create}, then {@link TrainingRun.trainEpochs} encodes and
 * submits whole epochs (several short ones together) and reads back one [loss, correct] pair per
 * batch, once per submission (or per {@link REPORT_GROUP} batches when the caller reports or may
 * abort).
 *
 * @example
 * const run = TrainingRun.create(ctx, state, x, y, 32);
 * const { stats } = await run.trainEpochs([plan], null);
 * run.release();
 */
export class TrainingRun {
  private update: Dispatch[] = [];
  private updateKey = '';
  /** Batches of the rows held now. */
  batches: number;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly state: DeviceParameters,
    /** Rows held now (a streamed block may fill fewer than `capacity`). */
    public n: number,
    readonly batchSize: number,
    /** Most epochs one `trainEpochs` call takes (orders, uniforms and stats are sized for them). */
    readonly groupEpochs: number,
    private readonly X: DeviceMatrix,
    private readonly Y: DeviceMatrix,
    private readonly owned: GPUBuffer[],
    private readonly order: GPUBuffer,
    private readonly uniforms: BatchUniforms,
    private readonly stats: GPUBuffer,
    private readonly statsStaging: GPUBuffer,
    private readonly ws: Workspace,
    /** gather → forward → loss and output delta → batch stats → backward (no update). */
    readonly step: Dispatch[],
    /** The L2 term of each step (when λ > 0). */
    private readonly penalty: PenaltyLaunches | null,
    /** Sample weights, regression metric sums and gradient clipping. */
    private readonly extras: TrainingExtras,
  ) {
    this.batches = Math.ceil(n / batchSize);
  }

  /** Checks sizes, uploads `x`, `y` and builds the step's launches. */
  static create(ctx: GpuContext, state: DeviceParameters, x: Dense, y: Dense, batchSize: number, sampleWeights: Float64Array | null = null): TrainingRun {
    const n = x.rows;
    const bs = Math.min(batchSize, n);
    checkDataFits(ctx, x, y, bs, 'training');
    const batches = Math.ceil(n / bs);
    // as many epochs' sample orders as one binding holds (checkDataFits made sure of one)
    const groupEpochs = Math.max(1, Math.min(epochsPerSubmission(batches), Math.floor(bindingLimit(ctx.device, ctx.maxBindingBytes) / (n * 4))));
    const X = uploadMatrix(ctx, 'training inputs', x);
    let Y: DeviceMatrix;
    try {
      Y = uploadMatrix(ctx, 'training targets', y);
    } catch (e) {
      for (const b of X.buffers) ctx.buffers.destroy(b);
      throw e;
    }
    return TrainingRun.build(ctx, state, X, Y, n, bs, groupEpochs, sampleWeights, true);
  }

  /**
   * A run with room for blocks of up to `capacity` rows shaped like `x`, `y` (same columns and
   * form: bytes with the same scale and offset, or float), loaded with {@link TrainingRun.load}:
   * what `fitDataset` streams through, one block per `trainEpochs` call.
   *
   * @example
   * const slot = TrainingRun.createBlock(ctx, state, 8192, chunkX, chunkY, 32, true);
   * slot.load(chunkX, chunkY);
   */
  static createBlock(ctx: GpuContext, state: DeviceParameters, capacity: number, x: Dense, y: Dense, batchSize: number, fresh: boolean): TrainingRun {
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
    const run = TrainingRun.build(ctx, state, X, Y, capacity, bs, 1, null, fresh);
    run.n = 0;
    run.batches = 0;
    return run;
  }

  /** Device bytes of the run's data (inputs, targets and sample order). */
  get dataBytes(): number {
    return [...this.X.buffers, ...this.Y.buffers, this.order].reduce((a, b) => a + b.size, 0);
  }

  /** Most rows this run holds. */
  get capacity(): number {
    return this.X.capacity;
  }

  /** True when `x`, `y` fit this block run: at most its capacity, its columns and form. */
  holds(x: Dense, y: Dense): boolean {
    const same = (M: DeviceMatrix, d: Dense) => d.cols === M.cols && elementOf(d) === M.element && (!d.bytes || (d.bytes.scale === M.scale && d.bytes.offset === M.offset));
    return x.rows <= this.X.capacity && same(this.X, x) && same(this.Y, y) && x.rows === y.rows && this.groupEpochs === 1 && this.extras.weights === null;
  }

  /** Writes a block's rows (queued behind the work submitted before); later `trainEpochs` calls train on them. */
  load(x: Dense, y: Dense): void {
    if (!this.holds(x, y)) throw new Error(`a block of ${x.rows} rows does not fit this run (capacity ${this.X.capacity}, or another shape)`);
    writeMatrix(this.ctx, this.X, x, 0);
    writeMatrix(this.ctx, this.Y, y, 0);
    this.n = x.rows;
    this.batches = Math.ceil(x.rows / this.batchSize);
  }

  /**
   * Allocates the per-step buffers over the device matrices `X`, `Y` and builds the step's
   * launches. A `fresh` run starts a training call: it clears the divergence latch and makes
   * "before the last step" the current state (a block slot made while the other slot's block
   * trains must not: that work is still queued).
   */
  private static build(ctx: GpuContext, state: DeviceParameters, X: DeviceMatrix, Y: DeviceMatrix, n: number, bs: number, groupEpochs: number, sampleWeights: Float64Array | null, fresh: boolean): TrainingRun {
    const steps = Math.ceil(n / bs) * groupEpochs;
    const { buffers } = ctx;
    const order = buffers.create('order', n * groupEpochs * 4, STORAGE);
    // [loss, correct] per step, then (with L2) ½ΣW² per step and layer
    const pairs = steps * (1 + (ctx.net.l2 > 0 ? ctx.net.layers.length : 0));
    const stats = buffers.create('batch stats', pairs * 8, STORAGE);
    const statsStaging = buffers.create('batch stats staging', pairs * 8, USAGE.MAP_READ | USAGE.COPY_DST);
    const uniforms = new BatchUniforms(ctx.device, buffers, ctx.launches.cache, steps, 'training');
    const ws = createWorkspace(ctx, bs, 'train');
    const extras = TrainingExtras.create(ctx, sampleWeights, steps);
    const step = [...forwardLaunches(ctx, state, ws, { X, Y, order, stats, train: true, weights: extras.weights, metrics: extras.metrics }), ...backwardLaunches(ctx, state, ws)];
    const owned = [...X.buffers, ...Y.buffers, order, stats, statsStaging];
    const penalty = ctx.net.l2 > 0 ? PenaltyLaunches.create(ctx, state, stats, steps) : null;
    const run = new TrainingRun(ctx, state, n, bs, groupEpochs, X, Y, owned, order, uniforms, stats, statsStaging, ws, step, penalty, extras);
    if (!fresh) return run;
    const enc = ctx.device.createCommandEncoder({ label: 'start training' });
    enc.clearBuffer(state.flags);
    state.copyPrev(enc, false);
    ctx.device.queue.submit([enc.finish()]);
    state.updatesSincePrev = 0;
    return run;
  }

  /** The optimizer launches for `plan`'s optimizer, rebuilt when it or the slots change. */
  updateLaunches(plan: EpochPlan): Dispatch[] {
    const spec = JSON.stringify([plan.optimizer, plan.clip ?? null]);
    const key = `${spec}#${this.state.slotsVersion}`;
    if (this.updateKey !== key) {
      const version = this.state.slotsVersion;
      this.ctx.launches.release(this.update);
      this.update = this.extras.updateLaunches(this.state, plan);
      this.updateKey = `${spec}#${this.state.slotsVersion}`;
      if (this.state.slotsVersion !== version) {
        // (re)allocated slots: "before the last step" starts as the current state
        const enc = this.ctx.device.createCommandEncoder({ label: 'init before-last-step state' });
        this.state.copyPrev(enc, false);
        this.ctx.device.queue.submit([enc.finish()]);
        this.state.updatesSincePrev = 0;
      }
    }
    return this.update;
  }

  /** Writes the orders and batch uniforms of `plans` (epoch k's order at k·n, its batches at k·batches). */
  private writePlans(plans: EpochPlan[]): void {
    const q = this.ctx.device.queue;
    const entries = plans.flatMap((plan, k) => {
      q.writeBuffer(this.order, k * this.n * 4, plan.order.buffer, plan.order.byteOffset, plan.order.byteLength);
      return passBatches(this.n, this.batchSize, {
        learningRate: plan.learningRate, optimizer: plan.optimizer, stepsBefore: plan.stepsBefore, orderOffset: k * this.n, indexOffset: k * this.batches,
        learningRates: plan.learningRates, dropKey: plan.dropKey,
      });
    });
    this.uniforms.write(entries);
  }

  private checkPlans(plans: EpochPlan[], report: BatchReporter | null): void {
    if (plans.length < 1 || plans.length > this.groupEpochs || (report && plans.length > 1)) {
      throw new Error(`trainEpochs takes 1 to ${this.groupEpochs} epochs (1 with a batch reporter), got ${plans.length}`);
    }
    for (const plan of plans) {
      if (plan.order.length !== this.n || plan.batchSize !== this.batchSize) {
        throw new Error(`epoch plan (n=${plan.order.length}, batchSize=${plan.batchSize}) does not match the uploaded training set (n=${this.n}, batchSize=${this.batchSize})`);
      }
    }
  }

  /** Encodes steps [s0, s1) (forward, backward, L2 term, update each) and the copy of their stats, and submits. */
  private submitSteps(update: Dispatch[], s0: number, s1: number): void {
    const { device, launches } = this.ctx;
    this.ctx.checkAlive();
    const enc = device.createCommandEncoder({ label: `training steps ${s0}..${s1 - 1}` });
    const pass = enc.beginComputePass({ label: 'training steps' });
    for (let s = s0; s < s1; s++) {
      launches.encode(pass, this.step, this.uniforms, s);
      this.penalty?.encode(pass, s);
      launches.encode(pass, update, this.uniforms, s);
    }
    pass.end();
    enc.copyBufferToBuffer(this.stats, s0 * 8, this.statsStaging, s0 * 8, (s1 - s0) * 8);
    this.extras.copyMetrics(enc, s0, s1);
    if (this.penalty) {
      const from = this.penalty.index(s0, 0) * 8;
      enc.copyBufferToBuffer(this.stats, from, this.statsStaging, from, this.penalty.index(s1, 0) * 8 - from);
    }
    device.queue.submit([enc.finish()]);
  }

  /**
   * See {@link TrainerBackend.trainEpochs}. Batch stats are read back per {@link REPORT_GROUP}
   * batches when there is a reporter or a signal (the reporter then gets every batch exactly once,
   * the signal is checked at every group's end), else once. A non-finite objective stops the
   * updates on the device (the divergence flag) and the update before it is undone; the state read
   * back at the end is checked too, and when it is not finite the call's steps are replayed from
   * its start, one at a time, to find and undo the update that made it so.
   */
  async trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome> {
    this.checkPlans(plans, report);
    this.ctx.checkAlive();
    const start = this.state.checkpoint;
    const update = this.updateLaunches(plans[0]);
    this.writePlans(plans);
    const total = plans.length * this.batches;
    const perGroup = report !== null || signal !== undefined;
    const group = perGroup ? REPORT_GROUP : total;
    const flat: BatchStats[] = [];
    let stopped = false;
    let executed = 0;
    let bad = -1;
    let callbackError: { error: unknown } | undefined;
    for (let s0 = 0; s0 < total && bad < 0; s0 += group) {
      const s1 = Math.min(total, s0 + group);
      this.submitSteps(update, s0, s1);
      executed = s1;
      if (!perGroup) continue;
      const stats = await this.readStats(s0, s1);
      const at = stats.findIndex((st) => !Number.isFinite(st.lossSum));
      flat.push(...(at < 0 ? stats : stats.slice(0, at + 1)));
      if (report && at !== 0) callbackError = await reportSafely(report, s0, at < 0 ? stats : stats.slice(0, at));
      if (at >= 0) bad = s0 + at;
      else if (callbackError || (signal?.aborted && s1 < total)) {
        stopped = true;
        break;
      }
    }
    if (!perGroup) {
      flat.push(...(await this.readStats(0, total)));
      bad = flat.findIndex((st) => !Number.isFinite(st.lossSum));
    }
    const divergence = await this.settle(start, update, flat, bad, executed);
    const perEpoch: BatchStats[][] = [];
    for (let s = 0; s < flat.length; s += this.batches) perEpoch.push(flat.slice(s, s + this.batches));
    return { stats: perEpoch, stopped: stopped && !divergence, divergence, callbackError: divergence ? undefined : callbackError };
  }

  /**
   * Ends a call: undoes the update before a non-finite objective (step `bad`), saves the
   * checkpoint, and replays the call's steps when the state read back is not finite.
   */
  private async settle(start: Checkpoint | null, update: Dispatch[], flat: BatchStats[], bad: number, executed: number): Promise<Divergence | undefined> {
    this.ctx.checkAlive();
    let divergence: Divergence | undefined;
    if (bad >= 0) {
      flat.length = bad + 1;
      const undone = this.state.updatesSincePrev + bad > 0;
      this.restorePrev(undone);
      divergence = this.divergenceAt(bad, 'loss', bad - (undone ? 1 : 0), !undone, flat[bad].lossSum);
    } else {
      this.state.updatesSincePrev += executed;
    }
    await this.state.saveCheckpoint();
    if (checkpointFinite(this.state.checkpoint) || !start) return divergence;
    const s = await this.replay(start, update, bad >= 0 ? bad : executed);
    flat.length = Math.min(flat.length, s + 1);
    await this.state.saveCheckpoint();
    return this.divergenceAt(s, 'update', s, false, flat[s]?.lossSum ?? NaN);
  }

  private divergenceAt(s: number, kind: Divergence['kind'], kept: number, beforeAnyUpdate: boolean, lossSum: number): Divergence {
    return { epochIndex: Math.floor(s / this.batches), batch: s % this.batches, kind, kept, beforeAnyUpdate, lossSum };
  }

  /** Puts back the state from before the last update that ran (unless `undo` is false), and clears the divergence flag. */
  private restorePrev(undo = true): void {
    const enc = this.ctx.device.createCommandEncoder({ label: 'undo diverged step' });
    if (undo) this.state.copyPrev(enc, true);
    enc.clearBuffer(this.state.flags);
    this.ctx.device.queue.submit([enc.finish()]);
    this.state.updatesSincePrev = 0;
  }

  /**
   * Restores `start` and runs steps 0, 1, … of the written plans one at a time, reading the state
   * after each, until an update leaves it non-finite; undoes that update and returns its step
   * (all `limit` steps kept finite state: returns `limit` after restoring `start`, keeping nothing).
   */
  private async replay(start: Checkpoint, update: Dispatch[], limit: number): Promise<number> {
    this.state.restore(start);
    const enc = this.ctx.device.createCommandEncoder({ label: 'replay from the call start' });
    enc.clearBuffer(this.state.flags);
    this.state.copyPrev(enc, false);
    this.ctx.device.queue.submit([enc.finish()]);
    for (let s = 0; s < limit; s++) {
      this.submitSteps(update, s, s + 1);
      if (!checkpointFinite(await this.state.read(true))) {
        this.restorePrev();
        return s;
      }
    }
    this.state.restore(start);
    return 0;
  }

  private async readStats(s0: number, s1: number): Promise<BatchStats[]> {
    const st = this.statsStaging;
    const lo = s0 * 8;
    const hi = (this.penalty ? this.penalty.index(s1, 0) : s1) * 8;
    const metrics = this.extras.readMetrics(s0, s1);
    await st.mapAsync(MAP_MODE_READ, lo, hi - lo);
    const f = new Float32Array(st.getMappedRange(lo, hi - lo).slice(0));
    st.unmap();
    this.ctx.checkAlive();
    const out: BatchStats[] = [];
    const L = this.ctx.net.layers.length;
    for (let s = s0; s < s1; s++) {
      const b = s % this.batches;
      let lossSum = f[2 * (s - s0)];
      if (this.penalty) {
        let half = 0;
        for (let l = 0; l < L; l++) half += f[2 * (this.penalty.index(s, l) - s0)];
        lossSum += this.ctx.net.l2 * half;
      }
      out.push({ lossSum, correct: f[2 * (s - s0) + 1], size: Math.min(this.batchSize, this.n - b * this.batchSize) });
    }
    return TrainingExtras.merge(out, await metrics);
  }

  /** The sample-order buffer (for the profiler, which replays the step's launches). */
  get orderBuffer(): GPUBuffer {
    return this.order;
  }

  /** The training-step uniforms (for the profiler, which replays the step's launches). */
  get batchUniforms(): BatchUniforms {
    return this.uniforms;
  }

  /** Frees everything the run allocated. */
  release(): void {
    this.penalty?.release();
    this.extras.release();
    this.ctx.launches.release([...this.step, ...this.update]);
    for (const b of this.owned) this.ctx.buffers.destroy(b);
    this.uniforms.destroy();
    releaseWorkspace(this.ctx, this.ws);
  }
}
