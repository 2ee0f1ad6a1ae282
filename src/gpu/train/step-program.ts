import type { EpochPlan } from '../../core/trainer';
import { BatchUniforms } from '../kernels/batch-uniform';
import type { GpuContext } from '../context';
import type { Dispatch } from '../kernels/launches';
import type { DeviceParameters } from './parameters';
import { PenaltyLaunches } from './penalty';
import { type Workspace, backwardLaunches, createWorkspace, forwardLaunches, releaseWorkspace } from './step';
import { StepStats } from './step-stats';
import type { DeviceTrainingSet } from './training-set';
import { UpdateLaunches } from './update-launches';

/** The parts of a {@link StepProgram}. */
interface StepProgramParts {
  uniforms: BatchUniforms;
  ws: Workspace;
  step: Dispatch[];
  penalty: PenaltyLaunches | null;
  stats: StepStats;
  updates: UpdateLaunches;
}

/**
 * The launches of one training step over a {@link DeviceTrainingSet}, with the per-step uniforms
 * and stats of as many steps as one submission takes: encoded and submitted by step ranges, their
 * stats read back.
 *
 * @example
 * const program = StepProgram.create(ctx, state, set);
 * program.submit(program.updateLaunches(plan), 0, set.batches);
 */
export class StepProgram {
  /** gather → forward → loss and output delta → batch stats → backward (no update). */
  readonly step: Dispatch[];
  /** The per-step batch uniforms. */
  readonly uniforms: BatchUniforms;
  /** What each step reports. */
  readonly stats: StepStats;
  private readonly ws: Workspace;
  /** The L2 term of each step (when λ > 0). */
  private readonly penalty: PenaltyLaunches | null;
  private readonly updates: UpdateLaunches;

  private constructor(private readonly ctx: GpuContext, parts: StepProgramParts) {
    this.uniforms = parts.uniforms;
    this.ws = parts.ws;
    this.step = parts.step;
    this.penalty = parts.penalty;
    this.stats = parts.stats;
    this.updates = parts.updates;
  }

  /** Allocates the per-step buffers over `set` (room for its capacity and epochs a submission) and builds the step's launches. */
  static create(ctx: GpuContext, state: DeviceParameters, set: DeviceTrainingSet): StepProgram {
    const steps = Math.ceil(set.capacity / set.batchSize) * set.groupEpochs;
    const uniforms = new BatchUniforms(ctx.device, ctx.buffers, ctx.launches.cache, steps, 'training');
    const ws = createWorkspace(ctx, set.batchSize, 'train');
    const stats = StepStats.create(ctx, steps);
    const sources = { X: set.X, Y: set.Y, order: set.order, stats: stats.buffer, train: true, weights: set.weights, metrics: stats.metrics };
    const step = [...forwardLaunches(ctx, state, ws, sources), ...backwardLaunches(ctx, state, ws)];
    const penalty = ctx.net.l2 > 0 || ctx.net.l1 > 0 ? PenaltyLaunches.create(ctx, state, stats) : null;
    return new StepProgram(ctx, { uniforms, ws, step, penalty, stats, updates: new UpdateLaunches(ctx, state) });
  }

  /** The update launches for `plan`'s optimizer and clipping (kept while they and the slots stay the same). */
  updateLaunches(plan: EpochPlan): Dispatch[] {
    return this.updates.for(plan);
  }

  /** Encodes steps [s0, s1) (forward, backward, L2 term, `update` each) and the copy of their stats, and submits. */
  submit(update: Dispatch[], s0: number, s1: number): void {
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
    this.stats.copy(enc, s0, s1);
    device.queue.submit([enc.finish()]);
  }

  /** Frees everything the program allocated. */
  release(): void {
    this.penalty?.release();
    this.updates.release();
    this.ctx.launches.release(this.step);
    this.stats.release();
    this.uniforms.destroy();
    releaseWorkspace(this.ctx, this.ws);
  }
}
