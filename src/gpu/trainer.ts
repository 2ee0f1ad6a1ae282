import { MAP_MODE_READ, SHADER_STAGE_COMPUTE, USAGE } from './usage';
import type { BatchReporter, BatchStats, EpochPlan, TrainerBackend } from '../backend';
import { type NetSpec, type ResolvedOptimizer, fanIn, outputSize } from '../config';
import type { Dense } from '../data';
import type { Params } from '../params';
import { BufferManager } from './buffers';
import { type Dispatch, Kernels } from './kernels';
import { BATCH_BYTES, BATCH_STRIDE } from './pipelines';

/** Batches per submit when the caller wants per-batch reports or may abort. */
const REPORT_CHUNK = 32;
/** Rows per pass for predict/evaluate. */
const EVAL_ROWS = 2048;

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** Per-batch-size scratch: the gathered batch and every layer's activations and deltas. */
interface Workspace {
  rows: number;
  xb: GPUBuffer;
  yb: GPUBuffer;
  acts: GPUBuffer[];
  deltas: GPUBuffer[];
  rowStats: GPUBuffer;
}

/** The training set, resident on the GPU, with the buffers and launches of one training step. */
interface TrainProgram {
  n: number;
  batchSize: number;
  batches: number;
  X: GPUBuffer;
  Y: GPUBuffer;
  order: GPUBuffer;
  batchUniform: GPUBuffer;
  batchGroup: GPUBindGroup;
  stats: GPUBuffer;
  statsStaging: GPUBuffer;
  ws: Workspace;
  /** gather → forward → loss and output delta → batch stats → backward (no update). */
  step: Dispatch[];
  /** Optimizer launches, built for one optimizer spec. */
  update: Dispatch[];
  updateKey: string;
  owned: GPUBuffer[];
}

/** Options the public model passes down. */
export interface GpuBackendOptions {
  /** Destroy the device on dispose (the model requested it itself). */
  ownsDevice: boolean;
  /** On device loss mid-fit: finish on the CPU (`'cpu'`), or reject (`'error'`). */
  onDeviceLost: 'cpu' | 'error';
}

/**
 * Builds the WebGPU trainer for `net`, uploading `params`. Checks the device's limits first.
 *
 * @example
 * const probe = await requestGpu();
 * const gpu = await createWebGpuBackend(net, params, probe.device!, { ownsDevice: true, onDeviceLost: 'cpu' });
 */
export async function createWebGpuBackend(net: NetSpec, params: Params, device: GPUDevice, options: GpuBackendOptions): Promise<TrainerBackend> {
  checkFits(device, 'weights of layer', net.layers.map((l, i) => fanIn(net, i) * l.units));
  const backend = new WebGpuBackend(net, device, options);
  await backend.writeParams(params);
  return backend;
}

function checkFits(device: GPUDevice, what: string, elementCounts: number[]): void {
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  elementCounts.forEach((count, i) => {
    const bytes = count * 4;
    if (bytes > limit) {
      throw new RangeError(`${what} ${i} needs a ${bytes}-byte GPU buffer (${count} float32 values), more than this device's maxStorageBufferBindingSize of ${limit} bytes`);
    }
  });
}

/** The WebGPU trainer: parameters, gradients and optimizer state stay on the GPU. */
export class WebGpuBackend implements TrainerBackend {
  readonly name = 'webgpu' as const;
  readonly buffers: BufferManager;
  private readonly kernels: Kernels;
  private readonly W: GPUBuffer[];
  private readonly B: GPUBuffer[];
  private readonly gW: GPUBuffer[];
  private readonly gB: GPUBuffer[];
  /** Optimizer slots [s1, s2] per layer, for weights and biases (null when unused). */
  private slots: { w: (GPUBuffer | null)[]; b: (GPUBuffer | null)[] }[] | null = null;
  private slotsKey = '';
  private train: TrainProgram | null = null;
  private disposed = false;
  /** Set when the device is lost; the reason the browser gave. */
  lostReason: string | null = null;

  constructor(private readonly net: NetSpec, readonly device: GPUDevice, private readonly options: GpuBackendOptions) {
    this.buffers = new BufferManager(device);
    this.kernels = new Kernels(device, this.buffers);
    this.W = net.layers.map((l, i) => this.buffers.create(`W${i}`, fanIn(net, i) * l.units * 4, STORAGE));
    this.B = net.layers.map((l, i) => this.buffers.create(`b${i}`, l.units * 4, STORAGE));
    this.gW = net.layers.map((l, i) => this.buffers.create(`dW${i}`, fanIn(net, i) * l.units * 4, STORAGE));
    this.gB = net.layers.map((l, i) => this.buffers.create(`db${i}`, l.units * 4, STORAGE));
    device.lost.then((info) => {
      if (!this.disposed) this.lostReason = info.message || info.reason || 'unknown';
    });
  }

  // ---------------------------------------------------------------- programs

  private workspace(rows: number, label: string): Workspace {
    const L = this.net.layers.length;
    checkFits(this.device, `${label} activations of layer`, this.net.layers.map((l) => rows * l.units));
    checkFits(this.device, `${label} input batch`, [rows * this.net.inputSize]);
    return {
      rows,
      xb: this.buffers.create(`${label} x batch`, rows * this.net.inputSize * 4, STORAGE),
      yb: this.buffers.create(`${label} y batch`, rows * outputSize(this.net) * 4, STORAGE),
      acts: this.net.layers.map((l, i) => this.buffers.create(`${label} a${i}`, rows * l.units * 4, STORAGE)),
      deltas: Array.from({ length: L }, (_, i) => this.buffers.create(`${label} delta${i}`, rows * this.net.layers[i].units * 4, STORAGE)),
      rowStats: this.buffers.create(`${label} row stats`, rows * 8, STORAGE),
    };
  }

  private releaseWorkspace(ws: Workspace): void {
    for (const b of [ws.xb, ws.yb, ws.rowStats, ...ws.acts, ...ws.deltas]) this.buffers.destroy(b);
  }

  /** gather, forward, loss (and output delta), batch stats. */
  private forwardDispatches(ws: Workspace, X: GPUBuffer, Y: GPUBuffer | null, order: GPUBuffer, stats: GPUBuffer | null, train: boolean): Dispatch[] {
    const k = this.kernels;
    const net = this.net;
    const L = net.layers.length;
    const out: Dispatch[] = [k.gather({ order, src: X, dst: ws.xb, cols: net.inputSize, rows: ws.rows, label: 'gather x' })];
    if (Y) out.push(k.gather({ order, src: Y, dst: ws.yb, cols: outputSize(net), rows: ws.rows, label: 'gather y' }));
    net.layers.forEach((layer, l) => {
      // z = a_prev · W + b, a = f(z)
      out.push(
        k.matmul({
          a: l === 0 ? ws.xb : ws.acts[l - 1], b: this.W[l], c: ws.acts[l],
          M: ws.rows, N: layer.units, K: fanIn(net, l), batchDim: 1,
          epilogue: 1, activation: layer.activation, bias: net.useBias ? this.B[l] : null,
          label: `forward ${l}`,
        }),
      );
      if (layer.activation === 'softmax') out.push(k.softmax({ z: ws.acts[l], cols: layer.units, rows: ws.rows }));
    });
    if (Y && stats) {
      out.push(
        k.loss({
          a: ws.acts[L - 1], y: ws.yb, delta: ws.deltas[L - 1], rowStats: ws.rowStats, cols: outputSize(net), rows: ws.rows,
          loss: net.loss, activation: net.layers[L - 1].activation, writeDelta: train,
        }),
      );
      out.push(k.batchStats({ rowStats: ws.rowStats, stats }));
    }
    return out;
  }

  /** ∂W, ∂b and the hidden deltas, from the output delta down. */
  private backwardDispatches(ws: Workspace): Dispatch[] {
    const k = this.kernels;
    const net = this.net;
    const out: Dispatch[] = [];
    for (let l = net.layers.length - 1; l >= 0; l--) {
      const units = net.layers[l].units;
      const fin = fanIn(net, l);
      const aPrev = l === 0 ? ws.xb : ws.acts[l - 1];
      // ∂W_l = a_prevᵀ · δ_l
      out.push(k.matmul({ a: aPrev, b: ws.deltas[l], c: this.gW[l], M: fin, N: units, K: ws.rows, batchDim: 2, transA: true, label: `dW ${l}` }));
      // ∂b_l = Σ_batch δ_l
      if (net.useBias && !net.freezeBias) out.push(k.columnSums({ src: ws.deltas[l], dst: this.gB[l], cols: units }));
      // δ_{l−1} = (δ_l · W_lᵀ) ⊙ f'(a_{l−1})
      if (l > 0) {
        out.push(
          k.matmul({
            a: ws.deltas[l], b: this.W[l], c: ws.deltas[l - 1], M: ws.rows, N: fin, K: units, batchDim: 1,
            transB: true, epilogue: 2, activation: net.layers[l - 1].activation, aux: ws.acts[l - 1], label: `delta ${l - 1}`,
          }),
        );
      }
    }
    return out;
  }

  private ensureSlots(opt: ResolvedOptimizer): void {
    const count = opt.type === 'sgd' ? 0 : opt.type === 'momentum' ? 1 : 2;
    const key = String(count);
    if (this.slots && this.slotsKey === key) return;
    this.freeSlots();
    this.slots = this.net.layers.map((l, i) => ({
      w: [0, 1].map((s) => (s < count ? this.buffers.create(`W${i} slot ${s}`, fanIn(this.net, i) * l.units * 4, STORAGE) : null)),
      b: [0, 1].map((s) => (s < count ? this.buffers.create(`b${i} slot ${s}`, l.units * 4, STORAGE) : null)),
    }));
    this.slotsKey = key;
    if (this.train) this.train.updateKey = '';
  }

  private freeSlots(): void {
    for (const s of this.slots ?? []) for (const b of [...s.w, ...s.b]) this.buffers.destroy(b);
    this.slots = null;
  }

  private updateDispatches(opt: ResolvedOptimizer): Dispatch[] {
    this.ensureSlots(opt);
    const out: Dispatch[] = [];
    this.net.layers.forEach((l, i) => {
      const s = this.slots![i];
      out.push(this.kernels.optimizer({ theta: this.W[i], grad: this.gW[i], s1: s.w[0], s2: s.w[1], count: fanIn(this.net, i) * l.units, l2: this.net.l2, opt, label: `update W${i}` }));
      if (this.net.useBias && !this.net.freezeBias) {
        out.push(this.kernels.optimizer({ theta: this.B[i], grad: this.gB[i], s1: s.b[0], s2: s.b[1], count: l.units, l2: 0, opt, label: `update b${i}` }));
      }
    });
    return out;
  }

  private batchGroup(uniform: GPUBuffer): GPUBindGroup {
    return this.device.createBindGroup({
      label: 'per-batch uniform',
      layout: this.kernels.cache.batchLayout,
      entries: [{ binding: 0, resource: { buffer: uniform, offset: 0, size: BATCH_BYTES } }],
    });
  }

  /** Per-batch uniform entries: start, rows, step, index, lr, 1 − β₁ᵗ, 1 − β₂ᵗ. */
  private static batchEntries(n: number, batchSize: number, lr = 0, opt: ResolvedOptimizer | null = null, stepsBefore = 0): ArrayBuffer {
    const batches = Math.ceil(n / batchSize);
    const buf = new ArrayBuffer(batches * BATCH_STRIDE);
    for (let b = 0; b < batches; b++) {
      const u = new Uint32Array(buf, b * BATCH_STRIDE, 8);
      const f = new Float32Array(buf, b * BATCH_STRIDE, 8);
      const t = stepsBefore + b + 1;
      u[0] = b * batchSize;
      u[1] = Math.min(batchSize, n - b * batchSize);
      u[2] = t;
      u[3] = b;
      f[4] = lr;
      f[5] = opt?.type === 'adam' ? 1 - opt.beta1 ** t : 1;
      f[6] = opt?.type === 'adam' ? 1 - opt.beta2 ** t : 1;
    }
    return buf;
  }

  // ---------------------------------------------------------------- training

  async setTrainingData(x: Dense, y: Dense, batchSize = 32): Promise<void> {
    this.checkAlive();
    this.clearTrainingData();
    const n = x.rows;
    checkFits(this.device, 'training set', [n * x.cols, n * y.cols]);
    const bs = Math.min(batchSize, n);
    const batches = Math.ceil(n / bs);
    const owned: GPUBuffer[] = [];
    const own = (b: GPUBuffer) => (owned.push(b), b);
    const X = own(this.buffers.upload('X', x.data));
    const Y = own(this.buffers.upload('Y', y.data));
    const order = own(this.buffers.create('order', n * 4, STORAGE));
    const batchUniform = own(this.buffers.create('batch uniforms', batches * BATCH_STRIDE, USAGE.UNIFORM | USAGE.COPY_DST));
    const stats = own(this.buffers.create('batch stats', batches * 8, STORAGE));
    const statsStaging = own(this.buffers.create('batch stats staging', batches * 8, USAGE.MAP_READ | USAGE.COPY_DST));
    const ws = this.workspace(bs, 'train');
    const step = [...this.forwardDispatches(ws, X, Y, order, stats, true), ...this.backwardDispatches(ws)];
    this.train = { n, batchSize: bs, batches, X, Y, order, batchUniform, batchGroup: this.batchGroup(batchUniform), stats, statsStaging, ws, step, update: [], updateKey: '', owned };
  }

  clearTrainingData(): void {
    const t = this.train;
    if (!t) return;
    this.kernels.release([...t.step, ...t.update]);
    for (const b of t.owned) this.buffers.destroy(b);
    this.releaseWorkspace(t.ws);
    this.train = null;
  }

  async trainEpoch(plan: EpochPlan, report: BatchReporter | null, signal?: AbortSignal): Promise<{ stats: BatchStats[]; stopped: boolean }> {
    this.checkAlive();
    const t = this.train;
    if (!t) throw new Error('trainEpoch called before setTrainingData');
    if (plan.order.length !== t.n || plan.batchSize !== t.batchSize) {
      throw new Error(`trainEpoch plan (n=${plan.order.length}, batchSize=${plan.batchSize}) does not match the uploaded training set (n=${t.n}, batchSize=${t.batchSize})`);
    }
    const key = JSON.stringify(plan.optimizer);
    if (t.updateKey !== key) {
      this.kernels.release(t.update);
      t.update = this.updateDispatches(plan.optimizer);
      t.updateKey = key;
    }
    const q = this.device.queue;
    q.writeBuffer(t.order, 0, plan.order.buffer, plan.order.byteOffset, plan.order.byteLength);
    q.writeBuffer(t.batchUniform, 0, WebGpuBackend.batchEntries(t.n, t.batchSize, plan.learningRate, plan.optimizer, plan.stepsBefore));
    const chunk = report || signal ? REPORT_CHUNK : t.batches;
    const all: BatchStats[] = [];
    for (let c0 = 0; c0 < t.batches; c0 += chunk) {
      const c1 = Math.min(t.batches, c0 + chunk);
      const enc = this.device.createCommandEncoder({ label: `epoch batches ${c0}..${c1 - 1}` });
      const pass = enc.beginComputePass({ label: 'training steps' });
      for (let b = c0; b < c1; b++) {
        this.kernels.encode(pass, t.step, t.batchGroup, b * BATCH_STRIDE);
        this.kernels.encode(pass, t.update, t.batchGroup, b * BATCH_STRIDE);
      }
      pass.end();
      enc.copyBufferToBuffer(t.stats, c0 * 8, t.statsStaging, c0 * 8, (c1 - c0) * 8);
      q.submit([enc.finish()]);
      if (chunk === t.batches) continue;
      const stats = await this.readStats(t, c0, c1);
      all.push(...stats);
      if (stats.some((s) => !Number.isFinite(s.lossSum))) break;
      if (report) await report(c0, stats);
      if (signal?.aborted && c1 < t.batches) return { stats: all, stopped: true };
    }
    if (chunk === t.batches) all.push(...(await this.readStats(t, 0, t.batches)));
    return { stats: all, stopped: false };
  }

  private async readStats(t: TrainProgram, c0: number, c1: number): Promise<BatchStats[]> {
    await t.statsStaging.mapAsync(MAP_MODE_READ, c0 * 8, (c1 - c0) * 8);
    const f = new Float32Array(t.statsStaging.getMappedRange(c0 * 8, (c1 - c0) * 8).slice(0));
    t.statsStaging.unmap();
    this.checkAlive();
    const out: BatchStats[] = [];
    for (let b = c0; b < c1; b++) out.push({ lossSum: f[2 * (b - c0)], correct: f[2 * (b - c0) + 1], size: Math.min(t.batchSize, t.n - b * t.batchSize) });
    return out;
  }

  // ---------------------------------------------------------------- inference

  /** Runs forward passes over `x` in chunks; copies outputs out and/or sums loss stats. */
  private async inference(x: Dense, y: Dense | null): Promise<{ out: Float64Array | null; lossSum: number; correct: number }> {
    this.checkAlive();
    const n = x.rows;
    checkFits(this.device, 'inference input', [n * x.cols, n * outputSize(this.net)]);
    const rows = Math.min(n, EVAL_ROWS);
    const chunks = Math.ceil(n / rows);
    const k = outputSize(this.net);
    const owned: GPUBuffer[] = [];
    const own = (b: GPUBuffer) => (owned.push(b), b);
    const ws = this.workspace(rows, 'inference');
    let dispatches: Dispatch[] = [];
    try {
      const X = own(this.buffers.upload('inference X', x.data));
      const Y = y ? own(this.buffers.upload('inference Y', y.data)) : null;
      const order = own(this.buffers.upload('identity order', Uint32Array.from({ length: n }, (_, i) => i)));
      const uniform = own(this.buffers.create('inference batch uniforms', chunks * BATCH_STRIDE, USAGE.UNIFORM | USAGE.COPY_DST));
      this.device.queue.writeBuffer(uniform, 0, WebGpuBackend.batchEntries(n, rows));
      const stats = Y ? own(this.buffers.create('inference stats', chunks * 8, STORAGE)) : null;
      const out = y ? null : own(this.buffers.create('predictions', n * k * 4, STORAGE));
      dispatches = this.forwardDispatches(ws, X, Y, order, stats, false);
      const group = this.batchGroup(uniform);
      const enc = this.device.createCommandEncoder({ label: 'inference' });
      for (let c = 0; c < chunks; c++) {
        const pass = enc.beginComputePass();
        this.kernels.encode(pass, dispatches, group, c * BATCH_STRIDE);
        pass.end();
        if (out) enc.copyBufferToBuffer(ws.acts[this.net.layers.length - 1], 0, out, c * rows * k * 4, Math.min(rows, n - c * rows) * k * 4);
      }
      const staging = own(this.buffers.create('inference staging', out ? n * k * 4 : chunks * 8, USAGE.MAP_READ | USAGE.COPY_DST));
      enc.copyBufferToBuffer(out ?? stats!, 0, staging, 0, out ? n * k * 4 : chunks * 8);
      this.device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_MODE_READ);
      const f = new Float32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      this.checkAlive();
      if (out) return { out: Float64Array.from(f.subarray(0, n * k)), lossSum: 0, correct: 0 };
      let lossSum = 0;
      let correct = 0;
      for (let c = 0; c < chunks; c++) {
        lossSum += f[2 * c];
        correct += f[2 * c + 1];
      }
      return { out: null, lossSum, correct };
    } finally {
      this.kernels.release(dispatches);
      for (const b of owned) this.buffers.destroy(b);
      this.releaseWorkspace(ws);
    }
  }

  async predict(x: Dense): Promise<Float64Array> {
    return (await this.inference(x, null)).out!;
  }

  async evaluate(x: Dense, y: Dense): Promise<{ lossSum: number; correct: number }> {
    const { lossSum, correct } = await this.inference(x, y);
    return { lossSum, correct };
  }

  // ---------------------------------------------------------------- parameters

  async readParams(): Promise<Params> {
    this.checkAlive();
    const sizes = [...this.W, ...this.B].map((b, i) => (i < this.W.length ? fanIn(this.net, i) * this.net.layers[i].units : this.net.layers[i - this.W.length].units));
    const total = sizes.reduce((a, b) => a + b, 0);
    const staging = this.buffers.create('params staging', total * 4, USAGE.MAP_READ | USAGE.COPY_DST);
    try {
      const enc = this.device.createCommandEncoder({ label: 'read params' });
      let off = 0;
      [...this.W, ...this.B].forEach((b, i) => {
        enc.copyBufferToBuffer(b, 0, staging, off * 4, sizes[i] * 4);
        off += sizes[i];
      });
      this.device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_MODE_READ);
      const f = new Float32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      this.checkAlive();
      const arrays: Float64Array[] = [];
      off = 0;
      for (const s of sizes) {
        arrays.push(Float64Array.from(f.subarray(off, off + s)));
        off += s;
      }
      return { weights: arrays.slice(0, this.W.length), biases: arrays.slice(this.W.length) };
    } finally {
      this.buffers.destroy(staging);
    }
  }

  async writeParams(p: Params): Promise<void> {
    this.checkAlive();
    const q = this.device.queue;
    p.weights.forEach((w, i) => q.writeBuffer(this.W[i], 0, Float32Array.from(w)));
    p.biases.forEach((b, i) => q.writeBuffer(this.B[i], 0, Float32Array.from(b)));
  }

  resetOptimizer(): void {
    if (!this.slots) return;
    const enc = this.device.createCommandEncoder({ label: 'reset optimizer' });
    for (const s of this.slots) for (const b of [...s.w, ...s.b]) if (b) enc.clearBuffer(b);
    this.device.queue.submit([enc.finish()]);
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('the WebGPU backend was disposed');
    if (this.lostReason !== null) throw new GpuDeviceLostError(this.lostReason);
  }

  dispose(): void {
    if (this.disposed) return;
    this.clearTrainingData();
    this.freeSlots();
    this.buffers.dispose();
    this.disposed = true;
    if (this.options.ownsDevice) this.device.destroy();
  }
}

/** Thrown when the GPU device was lost (driver reset, `device.destroy()`, tab backgrounded…). */
export class GpuDeviceLostError extends Error {
  constructor(reason: string) {
    super(`the WebGPU device was lost: ${reason}`);
    this.name = 'GpuDeviceLostError';
  }
}
