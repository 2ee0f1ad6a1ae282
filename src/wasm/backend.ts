import type { BatchReporter, Checkpoint, EpochPlan, TrainerBackend, TrainOutcome } from '../core/trainer';
import { type NetSpec, type ResolvedOptimizer, outputSize } from '../core/config';
import type { Dense } from '../core/data';
import { isRegressionOutput } from '../core/metrics';
import { type OptimizerState, optimizerSlots } from '../core/optimizer-state';
import { type Params, checkFloat32Params } from '../core/params';
import type { StepProfile } from '../core/profile';
import { CTRL, STATS } from './control';
import { Held, type Holdings, needsOf } from './holdings';
import { WasmMemory } from './memory';
import { type StepInstance, compileProgram, instantiate } from './program';
import { ThreadHost, type WasmOptions, resolveThreads } from './threads/host';
import type { WorkerPool } from './threads/pool';
import { profileSteps } from './profile';
import { writeOptimizer } from './settings';
import { type TrainState, trainCall } from './training';
import { copyRegion, readParams, readSlots, restoreRegion, useDataSet, writeBlockRows, writeParams, writeSlots, zeroSlots } from './transfer';

/** Steps one call may take over several short epochs, and the most epochs it groups. */
const GROUP_STEPS = 4096;
const MAX_GROUP_EPOCHS = 512;

/**
 * Refuses orders not of one index per row of the `n` rows held (`part`: a lone plan may hold 1 to n,
 * a part of an epoch) or naming a row out of range (the module would read another region of memory).
 */
function checkPlans(plans: EpochPlan[], n: number, part: boolean): void {
  if (plans.length < 1) throw new Error('trainEpochs needs at least one epoch plan');
  for (const plan of plans) {
    const len = plan.order.length;
    if (part && plans.length === 1 ? len < 1 || len > n : len !== n) throw new Error(`epoch plan order has ${len} indices, expected one per row of the ${n} rows held`);
    const max = plan.order.reduce((a, v) => Math.max(a, v), 0);
    if (max >= n) throw new RangeError(`epoch plan order names row ${max}, but only ${n} rows are held`);
    if (!(plan.batchSize >= 1)) throw new RangeError(`epoch plan batchSize must be at least 1, got ${plan.batchSize}`);
  }
}

/**
 * Thrown when a disposed wasm backend is used.
 *
 * @example
 * try { await wasm.predict(x); } catch (e) { if (e instanceof WasmDisposedError) console.log('disposed'); }
 */
export class WasmDisposedError extends Error {
  constructor() {
    super('the wasm backend was disposed');
    this.name = 'WasmDisposedError';
  }
}

/**
 * Builds the float32 WebAssembly SIMD trainer for `net`, starting from `params`: compiles (or
 * reuses) the module of the network's shape and allocates its memory, shared when its products
 * run on several threads (`options.threads`, default every core, where SharedArrayBuffer is).
 * Refuses parameters float32 cannot hold, and a network whose memory would pass 4 GiB, before allocating.
 *
 * @example
 * const wasm = await createWasmBackend(net, initParams(config), { threads: 2 });
 * await wasm.setTrainingData(x, y, 64);
 */
export async function createWasmBackend(net: NetSpec, params: Params, options: WasmOptions = {}): Promise<WasmBackend> {
  checkFloat32Params(net, params);
  const { threads, note } = resolveThreads(net, options.threads);
  const program = await compileProgram(net, false, threads);
  const holdings: Holdings = { data: {}, slots: 0, batches: 1, orderRows: 1 };
  const mem = new WasmMemory(program.shape, needsOf(holdings));
  const step = await instantiate(program, mem.memory);
  writeParams(mem, 0, params);
  return new WasmBackend(net, mem, step, new Held(mem, holdings), new ThreadHost(program, mem.memory), note);
}

/**
 * The wasm trainer: the whole training step (forward, loss, backward, clipping, the optimizer)
 * runs in a module generated for the network's shape, over parameters, optimizer state and the
 * training set kept in its memory as float32 (inputs as bytes or float16 when given so); many
 * batches per call. Two parameter sets alternate: an update writes the other set, so the state
 * before the last update is always at hand for the divergence rollback.
 */
export class WasmBackend implements TrainerBackend {
  readonly name = 'wasm' as const;
  private live: { mem: WasmMemory; step: StepInstance; held: Held; threads: ThreadHost } | null;
  private readonly state: TrainState = { canUndo: false, slotsOf: [null, null], lastYield: Date.now() };
  private best: Float32Array | null = null;
  /** The training call running now: a block loaded meanwhile waits for it (see {@link WasmBackend.loadBlock}). */
  private running: Promise<unknown> | null = null;

  /** `note`: why the backend runs on one thread where more were asked for (null otherwise). */
  constructor(private readonly net: NetSpec, mem: WasmMemory, step: StepInstance, held: Held, threads: ThreadHost, private readonly note: string | null = null) {
    this.live = { mem, step, held, threads };
  }

  /** Why the backend runs on one thread where more were asked for (null otherwise). */
  get threadsNote(): string | null {
    return this.live?.threads.startFailure ?? this.note;
  }

  /** Threads the large products are split across (1: one thread). */
  get threads(): number {
    return this.alive().threads.count;
  }

  /** The running worker pool, for tests of a worker dying (null before the first training call). */
  get workerPool(): WorkerPool | null {
    return this.alive().threads.pool;
  }

  private alive() {
    if (!this.live) throw new WasmDisposedError();
    return this.live;
  }

  /** Bytes of the wasm memory (it only grows). */
  get memoryBytes(): number {
    return this.alive().mem.bytes;
  }

  private get cur(): number {
    return this.alive().mem.view().getUint32(CTRL.cur, true);
  }

  async setTrainingData(x: Dense, y: Dense, batchSize = 32, sampleWeights: Float64Array | null = null): Promise<void> {
    const { held } = this.alive();
    held.update((h) => (h.data.train = { x, y, w: sampleWeights, batchSize: Math.min(batchSize, x.rows) }), ['train']);
    this.state.canUndo = false;
  }

  clearTrainingData(): void {
    this.live?.held.update((h) => (h.data.train = null));
  }

  async loadBlock(slot: number, x: Dense, y: Dense, batchSize: number, sampleWeights: Float64Array | null = null): Promise<void> {
    // a training call yields to the event loop between groups of batches, and a new block may
    // re-plan the memory (moving the regions the running call points at: out-of-bounds reads),
    // so the block is written once that call has ended
    await this.running?.catch(() => {});
    const { held } = this.alive();
    held.update((h) => (h.data[`block${slot}`] = { x, y, w: sampleWeights, batchSize: Math.min(batchSize, x.rows) }), [`block${slot}`]);
  }

  async trainBlock(slot: number, plan: EpochPlan, report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome> {
    if (!this.alive().held.h.data[`block${slot}`]) throw new Error(`trainBlock: block slot ${slot} holds nothing`);
    return this.run(`block${slot}`, [plan], report, signal);
  }

  releaseBlocks(): void {
    this.live?.held.update((h) => {
      h.data.block0 = h.data.block1 = null;
      h.data.train = null;
    });
  }

  maxEpochsPerCall(batches: number): number {
    return Math.max(1, Math.min(MAX_GROUP_EPOCHS, Math.floor(GROUP_STEPS / batches)));
  }

  async trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome> {
    if (!this.alive().held.h.data.train) throw new Error('trainEpochs called before setTrainingData');
    return this.run('train', plans, report, signal);
  }

  /** Trains `plans` over data set `name`: room for their batches, the optimizer's slots and settings, then the call. */
  private async run(name: string, plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome> {
    const { mem, step, held, threads } = this.alive();
    await threads.ready();
    const data = held.h.data[name];
    if (!data) throw new Error(`the wasm backend holds no data set ${name}`);
    const n = data.x.rows;
    checkPlans(plans, n, name === 'train');
    const batchSize = Math.min(plans[0].batchSize, n);
    const entries = plans.length * Math.ceil(n / batchSize);
    if (entries > held.h.batches || plans.length * n > held.h.orderRows || batchSize > data.batchSize) {
      held.update((h) => {
        h.batches = Math.max(h.batches, entries);
        h.orderRows = Math.max(h.orderRows, plans.length * n);
        h.data[name] = { ...data, batchSize: Math.max(data.batchSize, batchSize) };
      });
    }
    const slots = this.ensureSlots(plans[0].optimizer);
    writeOptimizer(mem, plans[0].optimizer, slots, plans[0].clip);
    useDataSet(mem, name, data.x, data.y, data.w !== null);
    const call = { mem, step, state: this.state, n: plans[0].order.length, batchSize, slots, regression: isRegressionOutput(this.net), checkAlive: () => void this.alive(), threadFailure: () => threads.failure() };
    const running = trainCall(call, plans, report, signal).finally(() => {
      if (this.running === running) this.running = null;
    });
    this.running = running;
    return running;
  }

  /** Room for `opt`'s slots, zeroed in the current set when it holds none of that count (the CPU backend's fresh slots). */
  private ensureSlots(opt: ResolvedOptimizer): number {
    const { mem, held } = this.alive();
    const k = optimizerSlots(opt);
    if (k > held.h.slots) {
      held.update((h) => (h.slots = k));
      // the slot regions moved: neither set holds slots now, and the state before the last update is gone
      this.state.slotsOf = [null, null];
      this.state.canUndo = false;
    }
    if (this.state.slotsOf[this.cur] !== k) {
      zeroSlots(mem, this.cur, k);
      this.state.slotsOf[this.cur] = null;
    }
    return k;
  }

  async predict(x: Dense): Promise<Float64Array> {
    const { mem, step, held } = this.alive();
    const k = outputSize(this.net);
    const out = new Float64Array(x.rows * k);
    const act = mem.layout.layers[this.net.layers.length - 1].act;
    for (let r0 = 0; r0 < x.rows; r0 += held.rows) {
      const m = Math.min(held.rows, x.rows - r0);
      writeBlockRows(mem, 'x', x, r0, m);
      step.infer(m);
      out.set(mem.f32(act, m * k), r0 * k);
    }
    return out;
  }

  async evaluate(x: Dense, y: Dense): Promise<{ lossSum: number; correct: number }> {
    const { mem, step, held } = this.alive();
    let lossSum = 0;
    let correct = 0;
    for (let r0 = 0; r0 < x.rows; r0 += held.rows) {
      const m = Math.min(held.rows, x.rows - r0);
      writeBlockRows(mem, 'x', x, r0, m);
      writeBlockRows(mem, 'y', y, r0, m);
      step.evaluate(m, mem.layout.stats);
      const v = mem.view();
      lossSum += v.getFloat64(mem.layout.stats + STATS.lossSum, true);
      correct += v.getFloat64(mem.layout.stats + STATS.correct, true);
    }
    return { lossSum, correct };
  }

  async readParams(): Promise<Params> {
    return readParams(this.alive().mem, this.cur);
  }

  async writeParams(p: Params): Promise<void> {
    const { mem } = this.alive();
    checkFloat32Params(this.net, p);
    writeParams(mem, this.cur, p);
  }

  resetOptimizer(): void {
    if (this.live) this.state.slotsOf[this.cur] = null;
  }

  async readOptimizerState(): Promise<OptimizerState | null> {
    return this.optimizerState();
  }

  private optimizerState(): OptimizerState | null {
    const k = this.state.slotsOf[this.cur];
    return k === null ? null : readSlots(this.alive().mem, this.cur, k);
  }

  async writeOptimizerState(s: OptimizerState): Promise<void> {
    const { mem, held } = this.alive();
    const k = s.layers[0]?.w.length ?? 0;
    if (k > held.h.slots) {
      held.update((h) => (h.slots = k));
      this.state.slotsOf = [null, null];
      this.state.canUndo = false;
    }
    writeSlots(mem, this.cur, s);
    this.state.slotsOf[this.cur] = k;
  }

  /** The current state is consistent between calls (a call settles before it returns): a copy of it. */
  lastCheckpoint(): Checkpoint | null {
    if (!this.live) return null;
    return { params: readParams(this.live.mem, this.cur), optimizer: this.optimizerState() };
  }

  keepBestParams(): void {
    this.best = copyRegion(this.alive().mem, this.cur);
  }

  async restoreBestParams(): Promise<boolean> {
    if (!this.best) return false;
    restoreRegion(this.alive().mem, this.cur, this.best);
    return true;
  }

  /** Wall-clock time of each stage of `steps` training steps of `plan` on `x`, `y`; the state is put back afterwards. */
  async profile(x: Dense, y: Dense, plan: EpochPlan, steps: number): Promise<StepProfile> {
    const { mem, held, threads } = this.alive();
    await threads.ready();
    return profileSteps({ net: this.net, mem, held, state: this.state, slots: (opt) => this.ensureSlots(opt) }, x, y, plan, steps);
  }

  /** Frees the memory (drops every reference to it) and ends the worker threads. */
  dispose(): void {
    void this.live?.threads.end();
    this.live = null;
    this.best = null;
  }
}
