import { MAP_MODE_READ, USAGE } from './usage';
import type { BatchReporter, BatchStats, EpochPlan } from '../backend';
import type { Dense } from '../data';
import { BatchUniforms, passBatches } from './batch-uniform';
import type { GpuContext } from './context';
import { type DeviceMatrix, checkDataFits, uploadMatrix } from './dataset';
import type { Dispatch } from './launches';
import { bindingLimit } from './limits';
import type { DeviceParameters } from './parameters';
import { type Workspace, backwardLaunches, createWorkspace, forwardLaunches, releaseWorkspace } from './step';

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

  private constructor(
    private readonly ctx: GpuContext,
    private readonly state: DeviceParameters,
    readonly n: number,
    readonly batchSize: number,
    readonly batches: number,
    /** Most epochs one `trainEpochs` call takes (orders, uniforms and stats are sized for them). */
    readonly groupEpochs: number,
    private readonly owned: GPUBuffer[],
    private readonly order: GPUBuffer,
    private readonly uniforms: BatchUniforms,
    private readonly stats: GPUBuffer,
    private readonly statsStaging: GPUBuffer,
    private readonly ws: Workspace,
    /** gather → forward → loss and output delta → batch stats → backward (no update). */
    readonly step: Dispatch[],
  ) {}

  /** Checks sizes, uploads `x`, `y` and builds the step's launches. */
  static create(ctx: GpuContext, state: DeviceParameters, x: Dense, y: Dense, batchSize: number): TrainingRun {
    const n = x.rows;
    const bs = Math.min(batchSize, n);
    checkDataFits(ctx, x, y, bs, 'training');
    const batches = Math.ceil(n / bs);
    // as many epochs' sample orders as one binding holds (checkDataFits made sure of one)
    const groupEpochs = Math.max(1, Math.min(epochsPerSubmission(batches), Math.floor(bindingLimit(ctx.device, ctx.maxBindingBytes) / (n * 4))));
    const steps = batches * groupEpochs;
    const { buffers } = ctx;
    const X: DeviceMatrix = uploadMatrix(ctx, 'training inputs', x);
    const Y: DeviceMatrix = uploadMatrix(ctx, 'training targets', y);
    const order = buffers.create('order', n * groupEpochs * 4, STORAGE);
    const stats = buffers.create('batch stats', steps * 8, STORAGE);
    const statsStaging = buffers.create('batch stats staging', steps * 8, USAGE.MAP_READ | USAGE.COPY_DST);
    const uniforms = new BatchUniforms(ctx.device, buffers, ctx.launches.cache, steps, 'training');
    const ws = createWorkspace(ctx, bs, 'train');
    const step = [...forwardLaunches(ctx, state, ws, { X, Y, order, stats, train: true }), ...backwardLaunches(ctx, state, ws)];
    const owned = [...X.buffers, ...Y.buffers, order, stats, statsStaging];
    const run = new TrainingRun(ctx, state, n, bs, batches, groupEpochs, owned, order, uniforms, stats, statsStaging, ws, step);
    // a fresh fit: clear the divergence latch, and make "before the last step" the current state
    const enc = ctx.device.createCommandEncoder({ label: 'start training' });
    enc.clearBuffer(state.flags);
    state.copyPrev(enc, false);
    ctx.device.queue.submit([enc.finish()]);
    return run;
  }

  /** The optimizer launches for `plan`'s optimizer, rebuilt when it or the slots change. */
  updateLaunches(plan: EpochPlan): Dispatch[] {
    const key = `${JSON.stringify(plan.optimizer)}#${this.state.slotsVersion}`;
    if (this.updateKey !== key) {
      const version = this.state.slotsVersion;
      this.ctx.launches.release(this.update);
      this.update = this.state.updateLaunches(plan.optimizer);
      this.updateKey = `${JSON.stringify(plan.optimizer)}#${this.state.slotsVersion}`;
      if (this.state.slotsVersion !== version) {
        // (re)allocated slots: "before the last step" starts as the current state
        const enc = this.ctx.device.createCommandEncoder({ label: 'init before-last-step state' });
        this.state.copyPrev(enc, false);
        this.ctx.device.queue.submit([enc.finish()]);
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

  /** Encodes steps [s0, s1) (forward, backward, update each) and the copy of their stats, and submits. */
  private submitSteps(update: Dispatch[], s0: number, s1: number): void {
    const { device, launches } = this.ctx;
    const enc = device.createCommandEncoder({ label: `training steps ${s0}..${s1 - 1}` });
    const pass = enc.beginComputePass({ label: 'training steps' });
    for (let s = s0; s < s1; s++) {
      launches.encode(pass, this.step, this.uniforms, s);
      launches.encode(pass, update, this.uniforms, s);
    }
    pass.end();
    enc.copyBufferToBuffer(this.stats, s0 * 8, this.statsStaging, s0 * 8, (s1 - s0) * 8);
    device.queue.submit([enc.finish()]);
  }

  /** See {@link TrainerBackend.trainEpochs}. */
  async trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<{ stats: BatchStats[][]; stopped: boolean }> {
    this.checkPlans(plans, report);
    const update = this.updateLaunches(plans[0]);
    this.writePlans(plans);
    const total = plans.length * this.batches;
    const group = report || signal ? REPORT_GROUP : total;
    const flat: BatchStats[] = [];
    let stopped = false;
    for (let s0 = 0; s0 < total; s0 += group) {
      const s1 = Math.min(total, s0 + group);
      this.submitSteps(update, s0, s1);
      if (group === total) continue;
      const stats = await this.readStats(s0, s1);
      flat.push(...stats);
      if (stats.some((st) => !Number.isFinite(st.lossSum))) break;
      if (report) await report(s0, stats);
      if (signal?.aborted && s1 < total) {
        stopped = true;
        break;
      }
    }
    if (group === total) flat.push(...(await this.readStats(0, total)));
    const bad = flat.findIndex((st) => !Number.isFinite(st.lossSum));
    if (bad >= 0) {
      // updates stopped at the bad batch; put back the state before the last executed update
      flat.length = bad + 1;
      const enc = this.ctx.device.createCommandEncoder({ label: 'undo diverged step' });
      this.state.copyPrev(enc, true);
      enc.clearBuffer(this.state.flags);
      this.ctx.device.queue.submit([enc.finish()]);
    }
    await this.state.saveCheckpoint();
    const perEpoch: BatchStats[][] = [];
    for (let s = 0; s < flat.length; s += this.batches) perEpoch.push(flat.slice(s, s + this.batches));
    return { stats: perEpoch, stopped };
  }

  private async readStats(s0: number, s1: number): Promise<BatchStats[]> {
    const st = this.statsStaging;
    await st.mapAsync(MAP_MODE_READ, s0 * 8, (s1 - s0) * 8);
    const f = new Float32Array(st.getMappedRange(s0 * 8, (s1 - s0) * 8).slice(0));
    st.unmap();
    this.ctx.checkAlive();
    const out: BatchStats[] = [];
    for (let s = s0; s < s1; s++) {
      const b = s % this.batches;
      out.push({ lossSum: f[2 * (s - s0)], correct: f[2 * (s - s0) + 1], size: Math.min(this.batchSize, this.n - b * this.batchSize) });
    }
    return out;
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
    this.ctx.launches.release([...this.step, ...this.update]);
    for (const b of this.owned) this.ctx.buffers.destroy(b);
    this.uniforms.destroy();
    releaseWorkspace(this.ctx, this.ws);
  }
}
