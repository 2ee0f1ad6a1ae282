import type { BatchReporter, BatchStats, EpochPlan, TrainOutcome } from '../../core/trainer';
import { reportSafely } from '../../core/trainer';
import type { Dense } from '../../core/data';
import { passBatches } from '../kernels/batch-uniform';
import type { GpuContext } from '../context';
import type { DeviceParameters } from './parameters';
import { DeviceTrainingSet } from './training-set';
import { StepProgram } from './step-program';
import { DivergenceGuard } from './divergence-guard';

/** Batches per submit when the caller wants per-batch reports or may abort. */
export const REPORT_GROUP = 32;

/**
 * What building a run does to the divergence guard's state: `'new-call'` starts a training call
 * (clears the divergence latch; the current state becomes the one to undo to); `'queued'` leaves
 * both, for a block slot built while the other slot's block still trains (that work is queued).
 */
export type RunStart = 'new-call' | 'queued';

/** A training set to upload whole (see {@link TrainingRun.create}). */
export interface TrainingData {
  x: Dense;
  y: Dense;
  batchSize: number;
  /** One weight per row (class and sample weights), or none. */
  sampleWeights?: Float64Array | null;
}

/** A block slot of streamed training data (see {@link TrainingRun.createBlock}). */
export interface BlockSlot {
  /** Most rows a block may have. */
  capacity: number;
  /** A block shaped like the ones to come (columns and form). */
  x: Dense;
  y: Dense;
  batchSize: number;
  start: RunStart;
  /** Blocks carry a weight per row. */
  weighted?: boolean;
}

/** The parts of a {@link TrainingRun}. */
interface TrainingRunParts {
  ctx: GpuContext;
  state: DeviceParameters;
  set: DeviceTrainingSet;
  program: StepProgram;
  guard: DivergenceGuard;
}

/**
 * The epoch loop of training on the device: a {@link DeviceTrainingSet}, the {@link StepProgram}
 * over it, and a {@link DivergenceGuard} that settles each call.
 *
 * @example
 * const run = TrainingRun.create(ctx, state, { x, y, batchSize: 32 });
 * const { stats } = await run.trainEpochs([plan], null);
 * run.release();
 */
export class TrainingRun {
  readonly set: DeviceTrainingSet;
  readonly program: StepProgram;
  private readonly ctx: GpuContext;
  private readonly state: DeviceParameters;
  private readonly guard: DivergenceGuard;

  private constructor(parts: TrainingRunParts) {
    this.ctx = parts.ctx;
    this.state = parts.state;
    this.set = parts.set;
    this.program = parts.program;
    this.guard = parts.guard;
  }

  /** Checks sizes, uploads the training set and builds the step's launches; starts a training call. */
  static create(ctx: GpuContext, state: DeviceParameters, data: TrainingData): TrainingRun {
    const set = DeviceTrainingSet.upload(ctx, data.x, data.y, data.batchSize, data.sampleWeights ?? null);
    return TrainingRun.build(ctx, state, set, 'new-call');
  }

  /**
   * A run over a block slot, loaded with `run.set.load(x, y, w)`: what `fitDataset` streams through,
   * one block per `trainEpochs` call.
   *
   * @example
   * const slot = TrainingRun.createBlock(ctx, state, { capacity: 8192, x: chunkX, y: chunkY, batchSize: 32, start: 'new-call' });
   * slot.set.load(chunkX, chunkY);
   */
  static createBlock(ctx: GpuContext, state: DeviceParameters, block: BlockSlot): TrainingRun {
    const set = DeviceTrainingSet.allocate(ctx, block.capacity, block.x, block.y, block.batchSize, block.weighted ?? false);
    return TrainingRun.build(ctx, state, set, block.start);
  }

  private static build(ctx: GpuContext, state: DeviceParameters, set: DeviceTrainingSet, start: RunStart): TrainingRun {
    const program = StepProgram.create(ctx, state, set);
    if (start === 'new-call') state.resetPrev('start training', 'clear');
    return new TrainingRun({ ctx, state, set, program, guard: new DivergenceGuard(ctx, state) });
  }

  /**
   * See {@link TrainerBackend.trainEpochs}: whole epochs (several short ones together) in
   * submissions of {@link REPORT_GROUP} batches when there is a reporter or a signal, else one.
   */
  async trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome> {
    const { set, program } = this;
    this.checkPlans(plans, report);
    this.ctx.checkAlive();
    const start = this.state.checkpoint;
    const update = program.updateLaunches(plans[0]);
    this.writePlans(plans);
    // a lone plan may be a part of an epoch (src/fit/epoch-parts.ts): its own batches, not the set's
    const rows = plans[0].order.length;
    const batches = Math.ceil(rows / set.batchSize);
    const total = plans.length * batches;
    // with a reporter or a signal, stats are read per group: the reporter then gets every batch
    // exactly once, and the signal is checked at every group's end
    const perGroup = report !== null || signal !== undefined;
    const group = perGroup ? REPORT_GROUP : total;
    const read = (s0: number, s1: number) => program.stats.read(s0, s1, (s) => Math.min(set.batchSize, rows - (s % batches) * set.batchSize));
    const flat: BatchStats[] = [];
    let stopped = false;
    let executed = 0;
    let bad = -1;
    let callbackError: { error: unknown } | undefined;
    for (let s0 = 0; s0 < total && bad < 0; s0 += group) {
      const s1 = Math.min(total, s0 + group);
      program.submit(update, s0, s1);
      executed = s1;
      if (!perGroup) continue;
      const stats = await read(s0, s1);
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
      flat.push(...(await read(0, total)));
      bad = flat.findIndex((st) => !Number.isFinite(st.lossSum));
    }
    const runStep = (s: number) => program.submit(update, s, s + 1);
    const divergence = await this.guard.settle({ start, stats: flat, bad, executed, batches, runStep });
    const perEpoch: BatchStats[][] = [];
    for (let s = 0; s < flat.length; s += batches) perEpoch.push(flat.slice(s, s + batches));
    return { stats: perEpoch, stopped: stopped && !divergence, divergence, callbackError: divergence ? undefined : callbackError };
  }

  private checkPlans(plans: EpochPlan[], report: BatchReporter | null): void {
    const { groupEpochs, n, batchSize } = this.set;
    if (plans.length < 1 || plans.length > groupEpochs || (report && plans.length > 1)) {
      throw new Error(`trainEpochs takes 1 to ${groupEpochs} epochs (1 with a batch reporter), got ${plans.length}`);
    }
    for (const plan of plans) {
      const rows = plan.order.length;
      if ((plans.length === 1 ? rows < 1 || rows > n : rows !== n) || plan.batchSize !== batchSize) {
        throw new Error(`epoch plan (n=${plan.order.length}, batchSize=${plan.batchSize}) does not match the uploaded training set (n=${n}, batchSize=${batchSize})`);
      }
    }
  }

  /** Writes the orders and batch uniforms of `plans` (epoch k's order at k·n, its batches at k·batches). */
  private writePlans(plans: EpochPlan[]): void {
    const { set } = this;
    const entries = plans.flatMap((plan, k) => {
      set.writeOrder(plan, k);
      return passBatches(plan.order.length, set.batchSize, {
        learningRate: plan.learningRate, optimizer: plan.optimizer, stepsBefore: plan.stepsBefore, orderOffset: k * set.n, indexOffset: k * set.batches,
        learningRates: plan.learningRates, dropKey: plan.dropKey, firstBatch: plan.firstBatch,
      });
    });
    this.program.uniforms.write(entries);
  }

  /** Frees everything the run allocated. */
  release(): void {
    this.program.release();
    this.set.release();
  }
}
