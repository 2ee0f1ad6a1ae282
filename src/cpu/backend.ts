import type { BatchReporter, BatchStats, Checkpoint, EpochPlan, TrainerBackend } from '../core/trainer';
import { type NetSpec, type ResolvedOptimizer, outputSize } from '../core/config';
import { type Dense, gatherRows } from '../core/data';
import { type Divergence, type TrainOutcome, reportSafely } from '../core/trainer';
import { type OptimizerState, cloneOptimizerState } from '../core/optimizer-state';
import { type Params, allArrays, cloneParams, weightPenalty } from '../core/params';
import { presentNorms } from '../core/norm-params';
import { type Gradients, averageGradients, backward, batchStats, forward } from './network';
import { clipGradients, optimizerStep } from './optimizers';
import { optimizerSlots } from '../core/optimizer-state';
import { batchStep } from './step-options';
import { updateRunningStats } from './batch-norm';
import { CpuDisposedError, allFinite } from './guards';

/** How often (ms) a long CPU epoch yields to the event loop so an abort signal can land. */
const YIELD_MS = 50;

/** Rows per forward pass in predict/evaluate: as many as keep one layer's block under 2^22 values. */
const INFERENCE_VALUES = 1 << 22;

/**
 * The CPU trainer: float64 math, one batch at a time. After every update it checks that the
 * weights, biases and optimizer slots are all finite; a batch whose objective (loss plus L2) is
 * not finite, or an update that leaves non-finite state, ends training with that update undone
 * (see {@link Divergence}).
 *
 * @example
 * const cpu = new CpuBackend(net, params);
 * await cpu.setTrainingData(x, y);
 * await cpu.trainEpochs([{ order, batchSize: 4, learningRate: 0.5, optimizer: { type: 'sgd' }, stepsBefore: 0 }], null);
 */
export class CpuBackend implements TrainerBackend {
  readonly name = 'cpu' as const;
  private params: Params;
  private x: Dense | null = null;
  private y: Dense | null = null;
  /** One weight per training row (class and sample weights), or null. */
  private w: Dense | null = null;
  /** The parameters kept by {@link CpuBackend.keepBestParams}. */
  private best: Params | null = null;
  /** Optimizer slots per layer: [weights slots, bias slots]. */
  private slots: OptimizerState['layers'] | null = null;
  /** When this backend last yielded to the event loop (kept across epochs, so short epochs yield too). */
  private lastYield = Date.now();
  /** Parameters and slots before the latest update of this fit (null before its first update). */
  private beforeLastStep: { params: Params; slots: OptimizerState | null } | null = null;
  private disposed = false;

  constructor(private readonly net: NetSpec, params: Params) {
    this.params = cloneParams(params);
  }

  private checkAlive(): void {
    if (this.disposed) throw new CpuDisposedError();
  }

  async setTrainingData(x: Dense, y: Dense, _batchSize?: number, sampleWeights?: Float64Array | null): Promise<void> {
    this.checkAlive();
    this.x = x;
    this.y = y;
    this.w = sampleWeights ? { data: sampleWeights, rows: x.rows, cols: 1 } : null;
    this.beforeLastStep = null;
  }

  clearTrainingData(): void {
    this.x = this.y = this.w = null;
  }

  private blocks: ({ x: Dense; y: Dense; w: Dense | null } | null)[] = [null, null];

  async loadBlock(slot: number, x: Dense, y: Dense, _batchSize?: number, sampleWeights?: Float64Array | null): Promise<void> {
    this.checkAlive();
    this.blocks[slot] = { x, y, w: sampleWeights ? { data: sampleWeights, rows: x.rows, cols: 1 } : null };
  }

  async trainBlock(slot: number, plan: EpochPlan, report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome> {
    const block = this.blocks[slot];
    if (!block) throw new Error(`trainBlock: block slot ${slot} holds nothing`);
    // the block's rows become the training set; "before the last step" carries over from the previous block
    this.x = block.x;
    this.y = block.y;
    this.w = block.w;
    return this.trainEpochs([plan], report, signal);
  }

  releaseBlocks(): void {
    this.blocks = [null, null];
    this.clearTrainingData();
  }

  /** The CPU path trains one epoch per call (nothing to gain from grouping). */
  maxEpochsPerCall(): number {
    return 1;
  }

  async trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome> {
    this.checkAlive();
    const out: BatchStats[][] = [];
    let kept = 0;
    for (let k = 0; k < plans.length; k++) {
      const r = await this.trainEpoch(plans[k], report, signal);
      out.push(r.stats);
      if (r.divergence) return { stats: out, stopped: false, divergence: { ...r.divergence, epochIndex: k, kept: kept + r.divergence.kept } };
      kept += r.stats.length;
      if (r.stopped) return { stats: out, stopped: true, callbackError: r.callbackError };
    }
    return { stats: out, stopped: false };
  }

  /** The objective of a batch summed over its rows: the loss plus m·(λ/(2m)·ΣW² + λ₁/m·Σ|W|) = λ/2·ΣW² + λ₁·Σ|W|. */
  private objective(lossSum: number): number {
    return this.net.l2 > 0 || this.net.l1 > 0 ? lossSum + weightPenalty(this.net, this.params, 1) : lossSum;
  }

  private async trainEpoch(plan: EpochPlan, report: BatchReporter | null, signal?: AbortSignal): Promise<{ stats: BatchStats[]; stopped: boolean; divergence?: Divergence; callbackError?: { error: unknown } }> {
    const x = this.x;
    const y = this.y;
    if (!x || !y) throw new Error('trainEpoch called before setTrainingData');
    const n = plan.order.length;
    const stats: BatchStats[] = [];
    for (let start = 0, b = 0; start < n; start += plan.batchSize, b++) {
      this.checkAlive();
      if (signal?.aborted) return { stats, stopped: true };
      const m = Math.min(plan.batchSize, n - start);
      const xb = gatherRows(x, plan.order, start, m);
      const yb = gatherRows(y, plan.order, start, m);
      const step = batchStep(plan, b, this.w, start, m);
      const pass = forward(this.net, this.params, xb, m, step);
      const { acts } = pass;
      const st = batchStats(this.net, acts[acts.length - 1], yb, m, step.weights);
      const s: BatchStats = { ...st, lossSum: this.objective(st.lossSum), size: m };
      stats.push(s);
      if (!Number.isFinite(s.lossSum)) {
        // the weights of the latest update give a non-finite objective: undo that update
        const undone = this.undoLastStep();
        return { stats, stopped: false, divergence: { epochIndex: 0, batch: b, kind: 'loss', kept: b - (undone ? 1 : 0), beforeAnyUpdate: !undone, lossSum: s.lossSum } };
      }
      const grads = backward(this.net, this.params, acts, yb, m, undefined, { pass, weights: step.weights });
      // update (keeping the state before it, to undo it if it or the next loss is not finite)
      this.saveBeforeStep();
      this.update(grads, m, plan, step.learningRate, plan.stepsBefore + b + 1);
      // batch norm's running estimates take this batch's moments (undone with the update)
      pass.moments?.forEach((moments, l) => moments && updateRunningStats(this.params.normStats![l]!, moments, m, this.net.layers[l].normMomentum!));
      if (!this.stateFinite()) {
        this.undoLastStep();
        return { stats, stopped: false, divergence: { epochIndex: 0, batch: b, kind: 'update', kept: b, beforeAnyUpdate: false, lossSum: s.lossSum } };
      }
      const callbackError = report ? await reportSafely(report, b, [s]) : undefined;
      if (callbackError) return { stats, stopped: true, callbackError };
      if (Date.now() - this.lastYield > YIELD_MS) {
        await new Promise((r) => setTimeout(r, 0));
        this.lastYield = Date.now();
      }
    }
    return { stats, stopped: false };
  }

  /** Whether weights, biases and optimizer slots are all finite. */
  private stateFinite(): boolean {
    if (!allFinite(allArrays(this.params))) return false;
    for (const l of this.slots ?? []) if (!allFinite(l.w) || !allFinite(l.b) || !allFinite(l.n ?? [])) return false;
    return true;
  }

  /** Puts back the state from before the latest update of this fit; false when there was none. */
  private undoLastStep(): boolean {
    const saved = this.beforeLastStep;
    if (!saved) return false;
    this.params = cloneParams(saved.params);
    this.slots = saved.slots ? cloneOptimizerState(saved.slots).layers : null;
    this.beforeLastStep = null;
    return true;
  }

  /** Copies parameters and optimizer slots into `beforeLastStep`, reusing its arrays when the layout matches. */
  private saveBeforeStep(): void {
    const keep = this.beforeLastStep;
    const slotCount = this.slots?.[0]?.w.length ?? 0;
    // γ/β are few: a network with norms copies its state afresh each step
    if (!keep || this.params.norms || (keep.slots?.layers[0]?.w.length ?? 0) !== slotCount || (keep.slots === null) !== (this.slots === null)) {
      this.beforeLastStep = { params: cloneParams(this.params), slots: this.slots ? cloneOptimizerState({ layers: this.slots }) : null };
      return;
    }
    this.params.weights.forEach((w, l) => keep.params.weights[l].set(w));
    this.params.biases.forEach((b, l) => keep.params.biases[l].set(b));
    this.slots?.forEach((layer, l) => {
      layer.w.forEach((a, k) => keep.slots!.layers[l].w[k].set(a));
      layer.b.forEach((a, k) => keep.slots!.layers[l].b[k].set(a));
    });
  }

  /** W −= η·(∂W + λW)/m and b −= η·∂b/m ({@link averageGradients}), through the chosen optimizer. */
  private update(g: Gradients, m: number, plan: EpochPlan, lr: number, t: number): void {
    const opt = plan.optimizer;
    const slots = this.ensureSlots(opt);
    averageGradients(this.net, this.params, g, m);
    const trainsBiases = this.net.useBias && !this.net.freezeBias;
    // γ/β always train (freezeBias is about biases) and, like biases, take no L2 or weight decay
    if (plan.clip) clipGradients([...(trainsBiases ? [...g.weights, ...g.biases] : g.weights), ...presentNorms(g.norms)], plan.clip);
    this.net.layers.forEach((_, l) => {
      optimizerStep(opt, this.params.weights[l], g.weights[l], slots[l].w, lr, t);
      if (trainsBiases) optimizerStep(opt, this.params.biases[l], g.biases[l], slots[l].b, lr, t, true);
      const norm = this.params.norms?.[l];
      if (norm) optimizerStep(opt, norm, g.norms![l]!, slots[l].n!, lr, t, true);
    });
  }

  keepBestParams(): void {
    this.best = cloneParams(this.params);
  }

  async restoreBestParams(): Promise<boolean> {
    if (!this.best) return false;
    this.params = cloneParams(this.best);
    return true;
  }

  private ensureSlots(opt: ResolvedOptimizer) {
    const k = optimizerSlots(opt);
    if (!this.slots || this.slots[0].w.length !== k) {
      this.slots = this.params.weights.map((w, l) => ({
        w: Array.from({ length: k }, () => new Float64Array(w.length)),
        b: Array.from({ length: k }, () => new Float64Array(this.params.biases[l].length)),
        ...(this.params.norms?.[l] ? { n: Array.from({ length: k }, () => new Float64Array(this.params.norms![l]!.length)) } : {}),
      }));
    }
    return this.slots;
  }

  /** Rows per forward pass, so that no layer's block exceeds {@link INFERENCE_VALUES} values. */
  private chunkRows(): number {
    const widest = Math.max(this.net.inputSize, ...this.net.layers.map((l) => l.units));
    return Math.max(1, Math.floor(INFERENCE_VALUES / widest));
  }

  async predict(x: Dense): Promise<Float64Array> {
    this.checkAlive();
    const k = outputSize(this.net);
    const rows = this.chunkRows();
    if (x.rows <= rows) return forward(this.net, this.params, x.data, x.rows).acts[this.net.layers.length] as Float64Array;
    const out = new Float64Array(x.rows * k);
    for (let r0 = 0; r0 < x.rows; r0 += rows) {
      const m = Math.min(rows, x.rows - r0);
      out.set(forward(this.net, this.params, x.data.subarray(r0 * x.cols, (r0 + m) * x.cols), m).acts[this.net.layers.length] as Float64Array, r0 * k);
    }
    return out;
  }

  async evaluate(x: Dense, y: Dense): Promise<{ lossSum: number; correct: number }> {
    this.checkAlive();
    const rows = this.chunkRows();
    let lossSum = 0;
    let correct = 0;
    for (let r0 = 0; r0 < x.rows; r0 += rows) {
      const m = Math.min(rows, x.rows - r0);
      const out = forward(this.net, this.params, x.data.subarray(r0 * x.cols, (r0 + m) * x.cols), m).acts[this.net.layers.length];
      const s = batchStats(this.net, out, y.data.subarray(r0 * y.cols, (r0 + m) * y.cols), m);
      lossSum += s.lossSum;
      correct += s.correct;
    }
    return { lossSum, correct };
  }

  async readParams(): Promise<Params> {
    this.checkAlive();
    return cloneParams(this.params);
  }

  async writeParams(p: Params): Promise<void> {
    this.checkAlive();
    this.params = cloneParams(p);
  }

  resetOptimizer(): void {
    this.slots = null;
  }

  async readOptimizerState(): Promise<OptimizerState | null> {
    return this.slots ? cloneOptimizerState({ layers: this.slots }) : null;
  }

  async writeOptimizerState(s: OptimizerState): Promise<void> {
    this.slots = cloneOptimizerState(s).layers;
  }

  /** On the CPU the current state is always consistent: a copy of it. */
  lastCheckpoint(): Checkpoint {
    return { params: cloneParams(this.params), optimizer: this.slots ? cloneOptimizerState({ layers: this.slots }) : null };
  }

  dispose(): void {
    this.disposed = true;
    this.x = this.y = this.w = null;
    this.slots = null;
    this.best = null;
    this.beforeLastStep = null;
  }
}
