// 'auto' decided at the first fit: the run starts on wasm at once while WebGPU is prepared in the
// background (src/model/auto-probe.ts); at a boundary between epochs, between parts of a `fit`
// epoch (src/fit/epoch-parts.ts) or between `fitDataset`'s blocks, the two steady step times are
// compared, and the run moves to WebGPU, weights and optimizer state carried over, when faster.
import type { ResolvedConfig, ResolvedOptimizer } from '../core/config';
import type { TrainerBackend } from '../core/trainer';
import type { FitBoundary } from '../fit/loop';
import type { FitPlan } from '../fit/options';
import type { StreamPlan } from '../fit/stream-plan';
import { WebGpuBackend } from '../gpu/backend';
import { currentStore } from '../gpu/tune/cache';
import { type HostBackend, hostName, netKey } from './backend-choice';
import { type Candidate, type Deferred, autoTestHook } from './auto-probe';

/**
 * How much faster WebGPU's steady step must be for 'auto' to move the run there: 10%. A move is
 * one-way and costs a pause (the data uploaded, shapes compiled), and step timings on a loaded
 * page vary by a few percent: a closer call stays where it is.
 *
 * @example
 * const moves = gpuMs < hostMs * (1 - AUTO_MOVE_MARGIN);
 */
export const AUTO_MOVE_MARGIN = 0.1;
/** While a decision is pending, epochs are submitted in groups (long ones in parts) of about this many ms, so boundaries come often. */
const GROUP_MS = 50;
/** The batches of a pending fit's first part, before the host's step time is known. */
const FIRST_PART_BATCHES = 4;

/**
 * What a training call tells 'auto': its batch size and optimizer; how to load its training data
 * on another trainer (`fitDataset`: nothing to do, each block is loaded where it trains) and, for
 * `fit`, check that it fits there; and whether early stopping keeps the best parameters on the
 * trainer (no move during such a call).
 *
 * @example
 * const call: AutoCall = { batchSize: 64, optimizer: plan.optimizer, keepsBest: false };
 */
export interface AutoCall {
  batchSize: number;
  optimizer: ResolvedOptimizer;
  keepsBest: boolean;
  load?(t: TrainerBackend): Promise<void>;
  check?(t: TrainerBackend): void;
}

/**
 * The {@link AutoCall} of a `fitDataset` with `plan`: its blocks are loaded by the epoch loop into
 * whichever trainer trains them, so a move has nothing to load.
 *
 * @example
 * await runStream(active.fitHost(progress, streamCall(plan)), source, plan, history, signal);
 */
export function streamCall(plan: StreamPlan): AutoCall {
  return {
    batchSize: plan.batchSize,
    optimizer: plan.optimizer,
    keepsBest: plan.features.earlyStopping?.restoreBestWeights ?? false,
    load: async () => {},
  };
}

/**
 * The {@link AutoCall} of a `fit` with `plan`.
 *
 * @example
 * await runEpochs(active.fitHost(progress, autoCall(plan)), plan, history);
 */
export function autoCall(plan: FitPlan): AutoCall {
  return {
    batchSize: plan.batchSize,
    optimizer: plan.optimizer,
    keepsBest: plan.features.earlyStopping?.restoreBestWeights ?? false,
    load: (t) => t.setTrainingData(plan.train.x, plan.train.y, plan.batchSize, plan.features.sampleWeights),
    check: (t) => {
      if (t instanceof WebGpuBackend) t.checkTraining(plan.train.x, plan.train.y, plan.batchSize, plan.optimizer);
    },
  };
}

/** The step times 'auto' compared (kept per adapter, host, network and batch size). */
interface AutoTiming {
  hostStepMs: number;
  /** Null when WebGPU's launches alone took longer than the host's step (it was not built). */
  gpuStepMs: number | null;
  floorMs: number;
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toPrecision(2));
const sessionTimings = new Map<string, AutoTiming>();

/**
 * 'auto''s pending decision for one model: started by the first training call (with its batch
 * size), settled at a boundary of a `fit` (this one or a later one) into staying or moving.
 *
 * @example
 * const move = new AutoMove(config, 'wasm', later);
 */
export class AutoMove {
  private batch = 0;
  private started = false;
  /** Set once decided; the candidate is then taken or disposed. */
  private done = false;
  private disposed = false;
  private cached: AutoTiming | null = null;
  private floor: { launches: number; ms: number } | null = null;
  private prelude: Promise<void> | null = null;
  private preludeSettled = false;
  private build: Promise<Candidate | null> | null = null;
  private candidate: Candidate | null = null;
  private buildSettled = false;
  private failure: string | null = null;
  /** Steady host steps timed during fits at the decided batch size (the first submission skipped). */
  private hostMs = 0;
  private hostSteps = 0;
  private boundaries = 0;
  private lastStepMs = 0;

  constructor(private readonly config: ResolvedConfig, private readonly host: HostBackend, private readonly later: Deferred) {}

  /** Whether a decision is still to come. */
  get pending(): boolean {
    return !this.done;
  }

  private get key(): string {
    return `auto fit ${this.later.key} ${this.host} ${netKey(this.config)} batch ${this.batch}`;
  }

  /** At the start of a training call: the first one fixes the batch size and starts the background work. */
  begin(call: AutoCall): void {
    if (this.started || this.done) return;
    this.started = true;
    this.batch = call.batchSize;
    this.prelude = (async () => {
      this.cached = sessionTimings.get(this.key) ?? readTiming(await currentStore().read(this.key).catch(() => null));
      if (!this.cached) this.floor = await this.later.floor(this.config);
    })().then(
      () => {
        this.preludeSettled = true;
        if (this.cached && this.cached.gpuStepMs !== null && this.faster(reported(this.cached.gpuStepMs), this.cached.hostStepMs)) this.startBuild(call.optimizer);
      },
      (e: Error) => this.fail(e),
    );
  }

  /** Most epochs per submission while pending: submissions of about {@link GROUP_MS}. */
  groupCap(batches: number): number {
    if (this.done) return Infinity;
    return this.lastStepMs > 0 ? Math.max(1, Math.floor(GROUP_MS / (this.lastStepMs * batches))) : 1;
  }

  /** Most batches per part of a `fit` epoch while pending: {@link FIRST_PART_BATCHES}, then about {@link GROUP_MS}. */
  partCap(): number {
    if (this.done) return Infinity;
    return this.lastStepMs > 0 ? Math.max(1, Math.floor(GROUP_MS / this.lastStepMs)) : FIRST_PART_BATCHES;
  }

  private faster(gpuMs: number, hostMs: number): boolean {
    return gpuMs < hostMs * (1 - AUTO_MOVE_MARGIN);
  }

  private startBuild(optimizer: ResolvedOptimizer): void {
    if (this.build) return;
    this.build = this.later.build(this.config, this.batch, optimizer).then(
      (c) => {
        this.buildSettled = true;
        if (this.disposed || this.done) c.dispose();
        else this.candidate = c;
        return c;
      },
      (e: Error) => {
        this.buildSettled = true;
        this.fail(e);
        return null;
      },
    );
  }

  private fail(e: Error): void {
    this.preludeSettled = true;
    this.failure = e.message.split('\n')[0];
  }

  /**
   * At a boundary of a `fit` on `current`: records the host's steady step time, and once both
   * sides are known decides. Returns the trainer to continue on and why, when the reason changes.
   */
  async atBoundary(b: FitBoundary, call: AutoCall, current: TrainerBackend, step: number): Promise<{ impl: TrainerBackend | null; reason: string } | null> {
    if (this.done || !this.started) return null;
    // the background work advances only when the page's one thread is free: wasm's steps never yield it
    await yieldToEventLoop();
    if (call.batchSize === this.batch) {
      if (this.boundaries++ > 0 && b.steps > 0) {
        this.hostMs += b.ms;
        this.hostSteps += b.steps;
      }
      if (b.steps > 0) this.lastStepMs = b.ms / b.steps;
    }
    const on = hostName(this.host);
    if (this.failure !== null) return this.stay(`auto stays on ${on}: ${this.later.label} could not be prepared (${this.failure})`);
    if (!this.preludeSettled) return null;
    const cached = this.cached;
    const hostMs = cached?.hostStepMs ?? (this.hostSteps > 0 ? this.hostMs / this.hostSteps : null);
    if (hostMs === null) return null;
    const tail = `at batch ${this.batch}, ${cached ? 'timed before on this adapter' : 'steady steps timed during the first fit'}`;
    const hook = autoTestHook()?.gpuStepMs;
    // the hook replaces WebGPU's measured step, so WebGPU is built and timed whatever its launches cost
    const floorMs = hook ? 0 : cached ? cached.floorMs : this.floor!.ms;
    // once WebGPU is being built, its step time decides (the host's average moves between boundaries)
    if (!this.build && (cached ? cached.gpuStepMs === null && !hook : hostMs <= floorMs)) {
      if (!cached) this.remember({ hostStepMs: hostMs, gpuStepMs: null, floorMs });
      return this.stay(`auto stays on ${on}: a training step takes ${fmt(hostMs)} ms there; on ${this.later.label} its launches alone take ${fmt(floorMs)} ms (${tail})`);
    }
    const times = (gpuMs: number) => `a training step took ${fmt(gpuMs)} ms on ${this.later.label} and ${fmt(hostMs)} ms on ${on} (${tail})`;
    if (cached && !this.faster(reported(cached.gpuStepMs!), hostMs)) return this.stay(`auto stays on ${on}: ${times(reported(cached.gpuStepMs!))}`);
    this.startBuild(call.optimizer);
    if (!this.buildSettled || !this.candidate || call.keepsBest || !call.load) return null;
    let gpuMs = cached?.gpuStepMs ?? (await this.candidate.timeSteps());
    if (!cached) this.remember({ hostStepMs: hostMs, gpuStepMs: gpuMs, floorMs });
    gpuMs = reported(gpuMs);
    if (!this.faster(gpuMs, hostMs)) return this.stay(`auto stays on ${on}: ${times(gpuMs)}`);
    return this.move(b, call, current, step, times(gpuMs));
  }

  /** Carries parameters and optimizer state from `current` to the candidate, loads the fit's data there and disposes `current`. */
  private async move(b: FitBoundary, call: AutoCall, current: TrainerBackend, step: number, times: string): Promise<{ impl: TrainerBackend; reason: string }> {
    const target = this.candidate!;
    this.candidate = null;
    this.done = true;
    const next = target.take();
    try {
      call.check?.(next);
      const [params, optimizer] = [await current.readParams(), await current.readOptimizerState()];
      next.resetOptimizer();
      await next.writeParams(params);
      if (optimizer) await next.writeOptimizerState(optimizer);
      await call.load!(next);
    } catch (e) {
      next.dispose();
      return { impl: current, reason: `auto stays on ${hostName(this.host)}: ${this.later.label} was faster but the run could not move there (${(e as Error).message.split('\n')[0]}); ${times}` };
    }
    current.clearTrainingData();
    current.dispose();
    const when = b.batch === undefined ? `after epoch ${b.epoch} of this fit` : `in epoch ${b.epoch + 1} of this fit, after its batch ${b.batch}`;
    const reason = `auto moved from ${hostName(this.host)} to ${this.later.label} ${when} (step ${step}): ${times}`;
    b.history.backendMove = { from: current.name, to: next.name, epoch: b.epoch, ...(b.batch === undefined ? {} : { batch: b.batch }), step, reason };
    return { impl: next, reason };
  }

  private stay(reason: string): { impl: null; reason: string } {
    this.settle();
    return { impl: null, reason };
  }

  /** Decided (or disposed): the background work and the device go. */
  private settle(): void {
    this.done = true;
    this.candidate?.dispose();
    this.candidate = null;
    if (!this.build) this.later.release();
    else void this.build.then((c) => (c ? undefined : this.later.release()));
  }

  private remember(t: AutoTiming): void {
    sessionTimings.set(this.key, t);
    void currentStore().write(this.key, t).catch(() => {});
  }

  /** Frees the background work with the model. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.settle();
  }
}

/** WebGPU's step time as measured, or as the test hook reports it. */
function reported(gpuMs: number): number {
  const hook = autoTestHook()?.gpuStepMs;
  return hook ? hook(gpuMs) : gpuMs;
}

/** Resolves after the tasks queued now (a message to self: unlike setTimeout, not clamped to 4 ms). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** A stored {@link AutoTiming}, or null when `r` is not one. */
function readTiming(r: unknown): AutoTiming | null {
  const t = r as AutoTiming | null;
  if (!t || typeof t !== 'object' || !Number.isFinite(t.hostStepMs) || !Number.isFinite(t.floorMs)) return null;
  return t.gpuStepMs === null || Number.isFinite(t.gpuStepMs) ? t : null;
}
