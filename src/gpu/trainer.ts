import { MAP_MODE_READ, USAGE } from './usage';
import type { BatchReporter, BatchStats, EpochPlan, TrainerBackend } from '../backend';
import { type NetSpec, type ResolvedOptimizer, fanIn, outputSize } from '../config';
import type { Dense } from '../data';
import type { OptimizerState } from '../optimizer-state';
import type { Params } from '../params';
import { BufferManager } from './buffers';
import { type Dispatch, Kernels } from './kernels';
import { BATCH_BYTES, BATCH_STRIDE } from './pipelines';

/** Batches per submit when the caller wants per-batch reports or may abort. */
const REPORT_CHUNK = 32;
/** Steps per submission when several short epochs are trained together. */
const GROUP_STEPS = 512;
/** Most epochs per submission. */
const MAX_GROUP_EPOCHS = 128;
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
  /** Most epochs one `trainEpochs` call takes (orders, uniforms and stats are sized for them). */
  groupEpochs: number;
  X: Sharded;
  Y: Sharded;
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

/** A row-major matrix split by rows over up to four buffers (each within one storage binding). */
interface Sharded {
  buffers: GPUBuffer[];
  shardRows: number;
}

/** Most shards a dataset may be split into (gather.wgsl binds four). */
const MAX_SHARDS = 4;

/** Options the public model passes down. */
export interface GpuBackendOptions {
  /** Destroy the device on dispose (the model requested it itself). */
  ownsDevice: boolean;
  /** On device loss mid-fit: finish on the CPU (`'cpu'`), or reject (`'error'`). */
  onDeviceLost: 'cpu' | 'error';
  /** Largest storage binding to use, in bytes (defaults to the device's limit; tests lower it). */
  maxBindingBytes?: number;
}

/**
 * Builds the WebGPU trainer for `net`, uploading `params`. Checks the device's limits first.
 *
 * @example
 * const probe = await requestGpu();
 * const gpu = await createWebGpuBackend(net, params, probe.device!, { ownsDevice: true, onDeviceLost: 'cpu' });
 */
export async function createWebGpuBackend(net: NetSpec, params: Params, device: GPUDevice, options: GpuBackendOptions): Promise<TrainerBackend> {
  checkFits(device, 'weights of layer', net.layers.map((l, i) => fanIn(net, i) * l.units), options.maxBindingBytes);
  const backend = new WebGpuBackend(net, device, options);
  await backend.writeParams(params);
  return backend;
}

function bindingLimit(device: GPUDevice, override?: number): number {
  return Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize, override ?? Infinity);
}

function checkFits(device: GPUDevice, what: string, elementCounts: number[], override?: number): void {
  const limit = bindingLimit(device, override);
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
  private slotCount = 0;
  /** Per parameter buffer, the state before the latest update: [θ | s1 | s2] (see optimizer.wgsl). */
  private prevW: GPUBuffer[] = [];
  private prevB: GPUBuffer[] = [];
  /** flags[0] = 1 once a batch loss was not finite (updates stop; see reduce.wgsl). */
  private readonly flags: GPUBuffer;
  /** The last state known to be consistent, on the CPU: what training resumes from if the device is lost. */
  private checkpoint: { params: Params; optimizer: OptimizerState | null } | null = null;
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
    this.flags = this.buffers.create('divergence flag', 16, STORAGE);
    device.lost.then((info) => {
      if (!this.disposed) this.lostReason = (info.message || info.reason || 'unknown').replace(/\.\s*$/, '');
    });
  }

  // ---------------------------------------------------------------- programs

  private workspace(rows: number, label: string): Workspace {
    const L = this.net.layers.length;
    checkFits(this.device, `${label} activations of layer`, this.net.layers.map((l) => rows * l.units), this.options.maxBindingBytes);
    checkFits(this.device, `${label} input batch`, [rows * this.net.inputSize], this.options.maxBindingBytes);
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
  private forwardDispatches(ws: Workspace, X: Sharded, Y: Sharded | null, order: GPUBuffer, stats: GPUBuffer | null, train: boolean): Dispatch[] {
    const k = this.kernels;
    const net = this.net;
    const L = net.layers.length;
    const out: Dispatch[] = [k.gather({ order, srcs: X.buffers, shardRows: X.shardRows, dst: ws.xb, cols: net.inputSize, rows: ws.rows, label: 'gather x' })];
    if (Y) out.push(k.gather({ order, srcs: Y.buffers, shardRows: Y.shardRows, dst: ws.yb, cols: outputSize(net), rows: ws.rows, label: 'gather y' }));
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
      out.push(k.batchStats({ rowStats: ws.rowStats, stats, flags: train ? this.flags : null }));
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
    if (this.slots && this.slotCount === count) return;
    this.allocateSlots(count);
  }

  /** Allocates `count` optimizer slots per parameter buffer (zeroed) and the matching `prev` buffers. */
  private allocateSlots(count: number): void {
    this.freeSlots();
    const net = this.net;
    this.slots = net.layers.map((l, i) => ({
      w: [0, 1].map((s) => (s < count ? this.buffers.create(`W${i} slot ${s}`, fanIn(net, i) * l.units * 4, STORAGE) : null)),
      b: [0, 1].map((s) => (s < count ? this.buffers.create(`b${i} slot ${s}`, l.units * 4, STORAGE) : null)),
    }));
    this.prevW = net.layers.map((l, i) => this.buffers.create(`W${i} before last step`, (1 + count) * fanIn(net, i) * l.units * 4, STORAGE));
    this.prevB = net.layers.map((l, i) => this.buffers.create(`b${i} before last step`, (1 + count) * l.units * 4, STORAGE));
    this.slotCount = count;
    if (this.train) this.train.updateKey = '';
  }

  private freeSlots(): void {
    for (const s of this.slots ?? []) for (const b of [...s.w, ...s.b]) this.buffers.destroy(b);
    for (const b of [...this.prevW, ...this.prevB]) this.buffers.destroy(b);
    this.slots = null;
    this.prevW = [];
    this.prevB = [];
    this.slotCount = 0;
  }

  /** Copies every parameter buffer and its slots into `prev` (or back, with `restore`), in `enc`. */
  private copyPrev(enc: GPUCommandEncoder, restore: boolean): void {
    if (!this.slots) return;
    this.net.layers.forEach((l, i) => {
      const pairs: [GPUBuffer, GPUBuffer[], (GPUBuffer | null)[], number][] = [
        [this.W[i], this.prevW, this.slots![i].w, fanIn(this.net, i) * l.units],
        [this.B[i], this.prevB, this.slots![i].b, l.units],
      ];
      for (const [theta, prevs, slots, n] of pairs) {
        const prev = prevs[i];
        [theta, ...slots.slice(0, this.slotCount)].forEach((buf, k) => {
          if (!buf) return;
          if (restore) enc.copyBufferToBuffer(prev, k * n * 4, buf, 0, n * 4);
          else enc.copyBufferToBuffer(buf, 0, prev, k * n * 4, n * 4);
        });
      }
    });
  }

  private updateDispatches(opt: ResolvedOptimizer): Dispatch[] {
    this.ensureSlots(opt);
    const out: Dispatch[] = [];
    this.net.layers.forEach((l, i) => {
      const s = this.slots![i];
      out.push(this.kernels.optimizer({ theta: this.W[i], grad: this.gW[i], s1: s.w[0], s2: s.w[1], prev: this.prevW[i], flags: this.flags, count: fanIn(this.net, i) * l.units, l2: this.net.l2, opt, label: `update W${i}` }));
      if (this.net.useBias && !this.net.freezeBias) {
        out.push(this.kernels.optimizer({ theta: this.B[i], grad: this.gB[i], s1: s.b[0], s2: s.b[1], prev: this.prevB[i], flags: this.flags, count: l.units, l2: 0, opt, label: `update b${i}` }));
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

  /**
   * Per-batch uniform entries for one epoch: start (into the order buffer, from `orderOffset`),
   * rows, step, index (from `indexOffset`), lr, 1 − β₁ᵗ, 1 − β₂ᵗ; written into `buf` from entry
   * `indexOffset` on.
   */
  private static batchEntries(
    n: number, batchSize: number, lr = 0, opt: ResolvedOptimizer | null = null, stepsBefore = 0,
    buf = new ArrayBuffer(Math.ceil(n / batchSize) * BATCH_STRIDE), orderOffset = 0, indexOffset = 0,
  ): ArrayBuffer {
    const batches = Math.ceil(n / batchSize);
    for (let b = 0; b < batches; b++) {
      const at = (indexOffset + b) * BATCH_STRIDE;
      const u = new Uint32Array(buf, at, 8);
      const f = new Float32Array(buf, at, 8);
      const t = stepsBefore + b + 1;
      u[0] = orderOffset + b * batchSize;
      u[1] = Math.min(batchSize, n - b * batchSize);
      u[2] = t;
      u[3] = indexOffset + b;
      f[4] = lr;
      f[5] = opt?.type === 'adam' ? 1 - opt.beta1 ** t : 1;
      f[6] = opt?.type === 'adam' ? 1 - opt.beta2 ** t : 1;
    }
    return buf;
  }

  // ---------------------------------------------------------------- training

  /** Uploads a row-major matrix, split by rows into shards that each fit one storage binding. */
  private uploadSharded(label: string, d: Dense): Sharded {
    const shardRows = this.shardRows(label, d);
    const shards = Math.ceil(d.rows / shardRows);
    const buffers: GPUBuffer[] = [];
    for (let s = 0; s < shards; s++) {
      const rows = Math.min(shardRows, d.rows - s * shardRows);
      buffers.push(this.buffers.upload(`${label} rows ${s * shardRows}..${s * shardRows + rows - 1}`, d.data.subarray(s * shardRows * d.cols, (s * shardRows + rows) * d.cols)));
    }
    return { buffers, shardRows };
  }

  /** Checks every buffer a training set of `n` rows in batches of `bs` needs, before allocating any. */
  /**
   * Rows per shard for a matrix split over storage bindings; throws (naming `what`, its size and
   * the limit) when even four bindings cannot hold it.
   */
  private shardRows(what: string, d: Dense): number {
    const limit = bindingLimit(this.device, this.options.maxBindingBytes);
    const perShard = Math.floor(limit / (d.cols * 4));
    if (perShard < 1 || Math.ceil(d.rows / perShard) > MAX_SHARDS) {
      throw new RangeError(`${what} are ${d.rows * d.cols * 4} bytes (${d.rows} rows × ${d.cols} float32), more than ${MAX_SHARDS} storage bindings of ${limit} bytes (maxStorageBufferBindingSize) can hold`);
    }
    return perShard;
  }

  /** Checks every buffer a data set of `x.rows` rows in batches of `bs` needs, before allocating any. */
  private checkSizes(x: Dense, y: Dense, bs: number, purpose: 'training' | 'inference'): void {
    this.shardRows(`${purpose} inputs`, x);
    this.shardRows(`${purpose} targets`, y);
    checkFits(this.device, 'batch activations of layer', this.net.layers.map((l) => bs * l.units), this.options.maxBindingBytes);
    checkFits(this.device, 'input batch', [bs * this.net.inputSize], this.options.maxBindingBytes);
    checkFits(this.device, 'sample order', [x.rows], this.options.maxBindingBytes);
  }

  async setTrainingData(x: Dense, y: Dense, batchSize = 32): Promise<void> {
    this.checkAlive();
    const n = x.rows;
    const bs = Math.min(batchSize, n);
    this.checkSizes(x, y, bs, 'training');
    this.clearTrainingData();
    const batches = Math.ceil(n / bs);
    // as many epochs' sample orders as one binding holds (checkSizes made sure of one)
    const groupEpochs = Math.max(1, Math.min(this.maxEpochsPerCall(batches), Math.floor(bindingLimit(this.device, this.options.maxBindingBytes) / (n * 4))));
    const owned: GPUBuffer[] = [];
    const own = (b: GPUBuffer) => (owned.push(b), b);
    const X = this.uploadSharded('training inputs', x);
    const Y = this.uploadSharded('training targets', y);
    owned.push(...X.buffers, ...Y.buffers);
    const steps = batches * groupEpochs;
    const order = own(this.buffers.create('order', n * groupEpochs * 4, STORAGE));
    const batchUniform = own(this.buffers.create('batch uniforms', steps * BATCH_STRIDE, USAGE.UNIFORM | USAGE.COPY_DST));
    const stats = own(this.buffers.create('batch stats', steps * 8, STORAGE));
    const statsStaging = own(this.buffers.create('batch stats staging', steps * 8, USAGE.MAP_READ | USAGE.COPY_DST));
    const ws = this.workspace(bs, 'train');
    const step = [...this.forwardDispatches(ws, X, Y, order, stats, true), ...this.backwardDispatches(ws)];
    this.train = { n, batchSize: bs, batches, groupEpochs, X, Y, order, batchUniform, batchGroup: this.batchGroup(batchUniform), stats, statsStaging, ws, step, update: [], updateKey: '', owned };
    // a fresh fit: clear the divergence latch, and make "before the last step" the current state
    const enc = this.device.createCommandEncoder({ label: 'start training' });
    enc.clearBuffer(this.flags);
    this.copyPrev(enc, false);
    this.device.queue.submit([enc.finish()]);
  }

  clearTrainingData(): void {
    const t = this.train;
    if (!t) return;
    this.kernels.release([...t.step, ...t.update]);
    for (const b of t.owned) this.buffers.destroy(b);
    this.releaseWorkspace(t.ws);
    this.train = null;
  }

  /** Epochs of `batches` batches that one call trains in one submission (short epochs are grouped). */
  maxEpochsPerCall(batches: number): number {
    if (this.train && this.train.batches === batches) return this.train.groupEpochs;
    return Math.max(1, Math.min(MAX_GROUP_EPOCHS, Math.floor(GROUP_STEPS / batches)));
  }

  async trainEpochs(plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<{ stats: BatchStats[][]; stopped: boolean }> {
    this.checkAlive();
    const t = this.train;
    if (!t) throw new Error('trainEpochs called before setTrainingData');
    if (plans.length < 1 || plans.length > t.groupEpochs || (report && plans.length > 1)) {
      throw new Error(`trainEpochs takes 1 to ${t.groupEpochs} epochs (1 with a batch reporter), got ${plans.length}`);
    }
    for (const plan of plans) {
      if (plan.order.length !== t.n || plan.batchSize !== t.batchSize) {
        throw new Error(`epoch plan (n=${plan.order.length}, batchSize=${plan.batchSize}) does not match the uploaded training set (n=${t.n}, batchSize=${t.batchSize})`);
      }
    }
    const key = JSON.stringify(plans[0].optimizer);
    if (t.updateKey !== key) {
      this.kernels.release(t.update);
      t.update = this.updateDispatches(plans[0].optimizer);
      t.updateKey = key;
      // (re)allocated slots: "before the last step" starts as the current state
      const enc = this.device.createCommandEncoder({ label: 'init before-last-step state' });
      this.copyPrev(enc, false);
      this.device.queue.submit([enc.finish()]);
    }
    const q = this.device.queue;
    // every epoch of the group: its order at k·n, its uniforms and stats at k·batches
    const uniforms = new ArrayBuffer(plans.length * t.batches * BATCH_STRIDE);
    plans.forEach((plan, k) => {
      q.writeBuffer(t.order, k * t.n * 4, plan.order.buffer, plan.order.byteOffset, plan.order.byteLength);
      WebGpuBackend.batchEntries(t.n, t.batchSize, plan.learningRate, plan.optimizer, plan.stepsBefore, uniforms, k * t.n, k * t.batches);
    });
    q.writeBuffer(t.batchUniform, 0, uniforms);
    const total = plans.length * t.batches;
    const chunk = report || signal ? REPORT_CHUNK : total;
    const flat: BatchStats[] = [];
    let stopped = false;
    try {
      for (let c0 = 0; c0 < total; c0 += chunk) {
        const c1 = Math.min(total, c0 + chunk);
        const enc = this.device.createCommandEncoder({ label: `training steps ${c0}..${c1 - 1}` });
        const pass = enc.beginComputePass({ label: 'training steps' });
        for (let s = c0; s < c1; s++) {
          this.kernels.encode(pass, t.step, t.batchGroup, s * BATCH_STRIDE);
          this.kernels.encode(pass, t.update, t.batchGroup, s * BATCH_STRIDE);
        }
        pass.end();
        enc.copyBufferToBuffer(t.stats, c0 * 8, t.statsStaging, c0 * 8, (c1 - c0) * 8);
        q.submit([enc.finish()]);
        if (chunk === total) continue;
        const stats = await this.readStats(t, c0, c1);
        flat.push(...stats);
        if (stats.some((st) => !Number.isFinite(st.lossSum))) break;
        if (report) await report(c0, stats);
        if (signal?.aborted && c1 < total) {
          stopped = true;
          break;
        }
      }
      if (chunk === total) flat.push(...(await this.readStats(t, 0, total)));
      const bad = flat.findIndex((st) => !Number.isFinite(st.lossSum));
      if (bad >= 0) {
        // updates stopped at the bad batch; put back the state before the last executed update
        flat.length = bad + 1;
        const enc = this.device.createCommandEncoder({ label: 'undo diverged step' });
        this.copyPrev(enc, true);
        enc.clearBuffer(this.flags);
        q.submit([enc.finish()]);
      }
      await this.saveCheckpoint();
    } catch (e) {
      throw await this.asDeviceLoss(e);
    }
    const perEpoch: BatchStats[][] = [];
    for (let s = 0; s < flat.length; s += t.batches) perEpoch.push(flat.slice(s, s + t.batches));
    return { stats: perEpoch, stopped };
  }

  private async readStats(t: TrainProgram, c0: number, c1: number): Promise<BatchStats[]> {
    await t.statsStaging.mapAsync(MAP_MODE_READ, c0 * 8, (c1 - c0) * 8);
    const f = new Float32Array(t.statsStaging.getMappedRange(c0 * 8, (c1 - c0) * 8).slice(0));
    t.statsStaging.unmap();
    this.checkAlive();
    const out: BatchStats[] = [];
    for (let s = c0; s < c1; s++) {
      const b = s % t.batches;
      out.push({ lossSum: f[2 * (s - c0)], correct: f[2 * (s - c0) + 1], size: Math.min(t.batchSize, t.n - b * t.batchSize) });
    }
    return out;
  }

  // ---------------------------------------------------------------- inference

  /** Runs forward passes over `x` in chunks; copies outputs out and/or sums loss stats. */
  private async inference(x: Dense, y: Dense | null): Promise<{ out: Float64Array | null; lossSum: number; correct: number }> {
    this.checkAlive();
    const n = x.rows;
    const k = outputSize(this.net);
    // rows per pass: as many as fit every per-row buffer within one binding
    const widest = Math.max(this.net.inputSize, ...this.net.layers.map((l) => l.units));
    const rows = Math.max(1, Math.min(n, EVAL_ROWS, Math.floor(bindingLimit(this.device, this.options.maxBindingBytes) / (widest * 4))));
    const chunks = Math.ceil(n / rows);
    this.checkSizes(x, y ?? { data: new Float32Array(0), rows: n, cols: k }, rows, 'inference');
    checkFits(this.device, 'predictions', [y ? 0 : n * k], this.options.maxBindingBytes);
    const owned: GPUBuffer[] = [];
    const own = (b: GPUBuffer) => (owned.push(b), b);
    let ws: Workspace | null = null;
    let dispatches: Dispatch[] = [];
    try {
      ws = this.workspace(rows, 'inference');
      const X = this.uploadSharded('inference inputs', x);
      owned.push(...X.buffers);
      const Y = y ? this.uploadSharded('inference targets', y) : null;
      if (Y) owned.push(...Y.buffers);
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
      const bytes = out ? n * k * 4 : chunks * 8;
      const staging = own(this.buffers.create('inference staging', bytes, USAGE.MAP_READ | USAGE.COPY_DST));
      enc.copyBufferToBuffer(out ?? stats!, 0, staging, 0, bytes);
      this.device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_MODE_READ, 0, bytes);
      const f = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
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
    } catch (e) {
      throw await this.asDeviceLoss(e);
    } finally {
      this.kernels.release(dispatches);
      for (const b of owned) this.buffers.destroy(b);
      if (ws) this.releaseWorkspace(ws);
    }
  }

  async predict(x: Dense): Promise<Float64Array> {
    return (await this.inference(x, null)).out!;
  }

  async evaluate(x: Dense, y: Dense): Promise<{ lossSum: number; correct: number }> {
    const { lossSum, correct } = await this.inference(x, y);
    return { lossSum, correct };
  }

  // ---------------------------------------------------------------- parameters and state

  /** Reads weights, biases and (when `withSlots`) optimizer slots in one copy and one map. */
  private async readState(withSlots: boolean): Promise<{ params: Params; optimizer: OptimizerState | null }> {
    this.checkAlive();
    const net = this.net;
    const parts: { buf: GPUBuffer; n: number }[] = [];
    net.layers.forEach((l, i) => parts.push({ buf: this.W[i], n: fanIn(net, i) * l.units }));
    net.layers.forEach((l, i) => parts.push({ buf: this.B[i], n: l.units }));
    const slotted = withSlots && this.slots !== null && this.slotCount > 0;
    if (slotted) {
      net.layers.forEach((l, i) => {
        for (let s = 0; s < this.slotCount; s++) parts.push({ buf: this.slots![i].w[s]!, n: fanIn(net, i) * l.units });
        for (let s = 0; s < this.slotCount; s++) parts.push({ buf: this.slots![i].b[s]!, n: l.units });
      });
    }
    const total = parts.reduce((a, p) => a + p.n, 0);
    const staging = this.buffers.create('state staging', total * 4, USAGE.MAP_READ | USAGE.COPY_DST);
    try {
      const enc = this.device.createCommandEncoder({ label: 'read state' });
      let off = 0;
      for (const p of parts) {
        enc.copyBufferToBuffer(p.buf, 0, staging, off * 4, p.n * 4);
        off += p.n;
      }
      this.device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_MODE_READ, 0, total * 4);
      const f = new Float32Array(staging.getMappedRange(0, total * 4).slice(0));
      staging.unmap();
      this.checkAlive();
      off = 0;
      const arrays = parts.map((p) => {
        const a = Float64Array.from(f.subarray(off, off + p.n));
        off += p.n;
        return a;
      });
      const L = net.layers.length;
      const params = { weights: arrays.slice(0, L), biases: arrays.slice(L, 2 * L) };
      let optimizer: OptimizerState | null = null;
      if (slotted) {
        let at = 2 * L;
        optimizer = { layers: net.layers.map(() => {
          const w = arrays.slice(at, at + this.slotCount);
          at += this.slotCount;
          const b = arrays.slice(at, at + this.slotCount);
          at += this.slotCount;
          return { w, b };
        }) };
      }
      return { params, optimizer };
    } catch (e) {
      throw await this.asDeviceLoss(e);
    } finally {
      this.buffers.destroy(staging);
    }
  }

  async readParams(): Promise<Params> {
    return (await this.readState(false)).params;
  }

  async writeParams(p: Params): Promise<void> {
    this.checkAlive();
    const q = this.device.queue;
    p.weights.forEach((w, i) => q.writeBuffer(this.W[i], 0, Float32Array.from(w)));
    p.biases.forEach((b, i) => q.writeBuffer(this.B[i], 0, Float32Array.from(b)));
    this.checkpoint = { params: { weights: p.weights.map((w) => Float64Array.from(w, Math.fround)), biases: p.biases.map((b) => Float64Array.from(b, Math.fround)) }, optimizer: this.checkpoint?.optimizer ?? null };
  }

  resetOptimizer(): void {
    if (this.checkpoint) this.checkpoint.optimizer = null;
    if (!this.slots) return;
    const enc = this.device.createCommandEncoder({ label: 'reset optimizer' });
    for (const s of this.slots) for (const b of [...s.w, ...s.b]) if (b) enc.clearBuffer(b);
    this.device.queue.submit([enc.finish()]);
  }

  async readOptimizerState(): Promise<OptimizerState | null> {
    return (await this.readState(true)).optimizer;
  }

  async writeOptimizerState(s: OptimizerState): Promise<void> {
    this.checkAlive();
    const count = s.layers[0]?.w.length ?? 0;
    if (!this.slots || this.slotCount !== count) this.allocateSlots(count);
    s.layers.forEach((l, i) => {
      l.w.forEach((a, k) => this.device.queue.writeBuffer(this.slots![i].w[k]!, 0, Float32Array.from(a)));
      l.b.forEach((a, k) => this.device.queue.writeBuffer(this.slots![i].b[k]!, 0, Float32Array.from(a)));
    });
  }

  /** Reads parameters and optimizer state back to the CPU: the point training resumes from after a device loss. */
  private async saveCheckpoint(): Promise<void> {
    this.checkpoint = await this.readState(true);
  }

  /** The last consistent state on the CPU (end of the last epoch, or the last `writeParams`). */
  lastCheckpoint(): { params: Params; optimizer: OptimizerState | null } | null {
    return this.checkpoint;
  }

  /** Turns a failure caused by a lost device into a {@link GpuDeviceLostError}. */
  private async asDeviceLoss(e: unknown): Promise<unknown> {
    if (e instanceof GpuDeviceLostError || this.disposed) return e;
    if (this.lostReason === null) {
      // map failures can arrive before device.lost resolves: give it a moment
      await Promise.race([this.device.lost, new Promise((r) => setTimeout(r, 100))]);
    }
    return this.lostReason !== null ? new GpuDeviceLostError(this.lostReason) : e;
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
