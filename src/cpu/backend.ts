import type { BatchReporter, BatchStats, Checkpoint, EpochPlan, TrainerBackend } from '../backend';
import type { NetSpec, ResolvedOptimizer } from '../config';
import { type Dense, gatherRows } from '../data';
import { type OptimizerState, cloneOptimizerState } from '../optimizer-state';
import { type Params, cloneParams } from '../params';
import { type Gradients, averageGradients, backward, batchStats, forward } from './network';
import { optimizerSlots, optimizerStep } from './optimizers';

/** How often (ms) a long CPU epoch yields to the event loop so an abort signal can land. */
const YIELD_MS = 50;

/**
 * The CPU trainer: float64 math, one batch at a time.
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
  /** Optimizer slots per layer: [weights slots, bias slots]. */
  private slots: { w: Float64Array[]; b: Float64Array[] }[] | null = null;
  /** When this backend last yielded to the event loop (kept across epochs, so short epochs yield too). */
  private lastYield = Date.now();
  /** Parameters and slots before the latest update (restored when the next loss is not finite). */
  private beforeLastStep: { params: Params; slots: OptimizerState | null } | null = null;

  constructor(private readonly net: NetSpec, params: Params) {
    this.params = cloneParams(params);
  }

  async setTrainingData(x: Dense, y: Dense, _batchSize?: number): Promise<void> {
    this.x = x;
    this.y = y;
    this.beforeLastStep = null;
  }

  clearTrainingData(): void {
    this.x = this.y = null;
  }

  /** The CPU path trains one epoch per call (nothing to gain from grouping). */
  maxEpochsPerCall(): number {
    return 1;
  }

  async trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<{ stats: BatchStats[][]; stopped: boolean }> {
    const out: BatchStats[][] = [];
    for (const plan of plans) {
      const { stats, stopped } = await this.trainEpoch(plan, report, signal);
      out.push(stats);
      if (stopped || stats.some((s) => !Number.isFinite(s.lossSum))) return { stats: out, stopped };
    }
    return { stats: out, stopped: false };
  }

  private async trainEpoch(plan: EpochPlan, report: BatchReporter | null, signal?: AbortSignal): Promise<{ stats: BatchStats[]; stopped: boolean }> {
    const x = this.x;
    const y = this.y;
    if (!x || !y) throw new Error('trainEpoch called before setTrainingData');
    const n = plan.order.length;
    const stats: BatchStats[] = [];
    for (let start = 0, b = 0; start < n; start += plan.batchSize, b++) {
      if (signal?.aborted) return { stats, stopped: true };
      const m = Math.min(plan.batchSize, n - start);
      const xb = gatherRows(x, plan.order, start, m);
      const yb = gatherRows(y, plan.order, start, m);
      // forward
      const { acts } = forward(this.net, this.params, xb, m);
      const s = { ...batchStats(this.net, acts[acts.length - 1], yb, m), size: m };
      if (!Number.isFinite(s.lossSum)) {
        // the weights of the latest update gave a non-finite loss: undo that update
        if (this.beforeLastStep) {
          this.params = cloneParams(this.beforeLastStep.params);
          if (this.beforeLastStep.slots) this.slots = cloneOptimizerState(this.beforeLastStep.slots).layers;
        }
        stats.push(s);
        return { stats, stopped: false };
      }
      // backward
      const grads = backward(this.net, this.params, acts, yb, m);
      // update (keeping the state before it, in case the next loss diverges)
      this.saveBeforeStep();
      this.update(grads, m, plan.optimizer, plan.learningRate, plan.stepsBefore + b + 1);
      stats.push(s);
      if (report) await report(b, [s]);
      if (Date.now() - this.lastYield > YIELD_MS) {
        await new Promise((r) => setTimeout(r, 0));
        this.lastYield = Date.now();
      }
    }
    return { stats, stopped: false };
  }

  /** Copies parameters and optimizer slots into `beforeLastStep`, reusing its arrays when the layout matches. */
  private saveBeforeStep(): void {
    const keep = this.beforeLastStep;
    const slotCount = this.slots?.[0]?.w.length ?? 0;
    if (!keep || (keep.slots?.layers[0]?.w.length ?? 0) !== slotCount || (keep.slots === null) !== (this.slots === null)) {
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
  private update(g: Gradients, m: number, opt: ResolvedOptimizer, lr: number, t: number): void {
    const slots = this.ensureSlots(opt);
    averageGradients(this.net, this.params, g, m);
    this.net.layers.forEach((_, l) => {
      optimizerStep(opt, this.params.weights[l], g.weights[l], slots[l].w, lr, t);
      if (this.net.useBias && !this.net.freezeBias) optimizerStep(opt, this.params.biases[l], g.biases[l], slots[l].b, lr, t);
    });
  }

  private ensureSlots(opt: ResolvedOptimizer) {
    const k = optimizerSlots(opt);
    if (!this.slots || this.slots[0].w.length !== k) {
      this.slots = this.params.weights.map((w, l) => ({
        w: Array.from({ length: k }, () => new Float64Array(w.length)),
        b: Array.from({ length: k }, () => new Float64Array(this.params.biases[l].length)),
      }));
    }
    return this.slots;
  }

  async predict(x: Dense): Promise<Float64Array> {
    const { acts } = forward(this.net, this.params, x.data, x.rows);
    return acts[acts.length - 1] as Float64Array;
  }

  async evaluate(x: Dense, y: Dense): Promise<{ lossSum: number; correct: number }> {
    const out = await this.predict(x);
    return batchStats(this.net, out, y.data, x.rows);
  }

  async readParams(): Promise<Params> {
    return cloneParams(this.params);
  }

  async writeParams(p: Params): Promise<void> {
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
    this.x = this.y = null;
    this.slots = null;
  }
}
