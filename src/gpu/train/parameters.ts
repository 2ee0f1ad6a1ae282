import { MAP_MODE_READ, USAGE } from '../usage';
import type { Checkpoint } from '../../core/trainer';
import { type ResolvedOptimizer, fanIn } from '../../core/config';
import type { OptimizerState } from '../../core/optimizer-state';
import { type Params, checkFloat32Params } from '../../core/params';
import { optimizerSlots } from '../../core/optimizer-state';
import { presentNorms } from '../../core/norm-params';
import type { GpuContext } from '../context';
import type { Dispatch } from '../kernels/launches';
import type { OptimizerClip } from '../kernels/launch-optimizer';
import { DeviceRunningStats } from './running-stats';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/**
 * True when a checkpoint's parameters, batch norm's running estimates and optimizer slots are all
 * finite (false for null).
 *
 * @example
 * checkpointFinite(await state.read(true)); // false once any weight or slot is ±Infinity or NaN
 */
export function checkpointFinite(cp: Checkpoint | null): boolean {
  if (!cp) return false;
  let z = 0;
  // batch norm's running variance can overflow float32 (σ² of a z past 1.8e19) where float64 holds it
  const arrays = [...cp.params.weights, ...cp.params.biases, ...presentNorms(cp.params.norms), ...presentNorms(cp.params.normStats), ...(cp.optimizer?.layers.flatMap((l) => [...l.w, ...l.b, ...(l.n ?? [])]) ?? [])];
  for (const a of arrays) for (let i = 0; i < a.length; i++) z += a[i] * 0;
  return z === 0;
}

/** Optimizer slots [s1, s2] of one layer, for weights, biases and γ/β (null when unused; `n` empty without norm). */
interface LayerSlots {
  w: (GPUBuffer | null)[];
  b: (GPUBuffer | null)[];
  n: (GPUBuffer | null)[];
}

/** The kinds of parameter buffer a layer has: weights, biases, and γ then β of a normalized layer. */
type Kind = 'w' | 'b' | 'n';

/**
 * The model's state on the device: weights, biases, their gradients, the optimizer slots, the
 * copy of all of them from before the latest update (the divergence guard), the divergence
 * flag, and the host checkpoint training resumes from if the device is lost.
 *
 * @example
 * const state = new DeviceParameters(ctx);
 * state.writeParams(params);
 * const { params: back } = await state.read(false);
 */
export class DeviceParameters {
  readonly W: GPUBuffer[];
  readonly B: GPUBuffer[];
  readonly gW: GPUBuffer[];
  readonly gB: GPUBuffer[];
  /** γ then β (`[2 · units]`) of each layer with `norm`, null for the others; and their gradients. */
  readonly N: (GPUBuffer | null)[];
  readonly gN: (GPUBuffer | null)[];
  /** Batch normalization's running estimates (state, not parameters: no gradient, no slots). */
  readonly running: DeviceRunningStats;
  /** flags[0] = 1 once a batch loss was not finite (updates stop; see reduce.wgsl). */
  readonly flags: GPUBuffer;
  private slots: LayerSlots[] | null = null;
  private slotCount = 0;
  /** Per parameter buffer, the state before the latest update: [θ | s1 | s2] (see optimizer.wgsl). */
  private prevW: GPUBuffer[] = [];
  private prevB: GPUBuffer[] = [];
  private prevN: (GPUBuffer | null)[] = [];
  /** Bumped whenever the slots are reallocated (launches over them must be rebuilt). */
  slotsVersion = 0;
  /** The last state known to be consistent, on the host. */
  checkpoint: Checkpoint | null = null;
  /** Updates run since "before the last step" (the `prev` buffers) was last set to the current state. */
  updatesSincePrev = 0;

  constructor(private readonly ctx: GpuContext) {
    const { net, buffers } = ctx;
    const sizes = net.layers.map((l, i) => fanIn(net, i) * l.units);
    this.W = sizes.map((n, i) => buffers.create(`W${i}`, n * 4, STORAGE));
    this.B = net.layers.map((l, i) => buffers.create(`b${i}`, l.units * 4, STORAGE));
    this.gW = sizes.map((n, i) => buffers.create(`dW${i}`, n * 4, STORAGE));
    this.gB = net.layers.map((l, i) => buffers.create(`db${i}`, l.units * 4, STORAGE));
    this.N = net.layers.map((l, i) => (l.norm ? buffers.create(`norm${i}`, 2 * l.units * 4, STORAGE) : null));
    this.gN = net.layers.map((l, i) => (l.norm ? buffers.create(`dnorm${i}`, 2 * l.units * 4, STORAGE) : null));
    this.flags = buffers.create('divergence flag', 16, STORAGE);
    this.running = new DeviceRunningStats(ctx);
  }

  /** Each layer's [weights, biases, γ/β when it has norm] buffers with their element counts. */
  private pairs(i: number): [GPUBuffer, number, Kind, (GPUBuffer | null)[]][] {
    const net = this.ctx.net;
    const units = net.layers[i].units;
    const norm = this.N[i];
    return [
      [this.W[i], fanIn(net, i) * units, 'w', this.prevW],
      [this.B[i], units, 'b', this.prevB],
      ...(norm ? [[norm, 2 * units, 'n', this.prevN] as [GPUBuffer, number, Kind, (GPUBuffer | null)[]]] : []),
    ];
  }

  /** Whether optimizer slots are allocated (a read of the optimizer state is needed only then). */
  get hasSlots(): boolean {
    return this.slots !== null && this.slotCount > 0;
  }

  /** Makes sure the slots `opt` needs exist (reallocating, zeroed, on a change of kind). */
  ensureSlots(opt: ResolvedOptimizer): void {
    const count = optimizerSlots(opt);
    if (!this.slots || this.slotCount !== count) this.allocateSlots(count);
  }

  /** Allocates `count` optimizer slots per parameter buffer (zeroed) and the matching `prev` buffers. */
  private allocateSlots(count: number): void {
    this.freeSlots();
    const { net, buffers } = this.ctx;
    this.slots = net.layers.map((l, i) => ({
      w: [0, 1].map((s) => (s < count ? buffers.create(`W${i} slot ${s}`, fanIn(net, i) * l.units * 4, STORAGE) : null)),
      b: [0, 1].map((s) => (s < count ? buffers.create(`b${i} slot ${s}`, l.units * 4, STORAGE) : null)),
      n: l.norm ? [0, 1].map((s) => (s < count ? buffers.create(`norm${i} slot ${s}`, 2 * l.units * 4, STORAGE) : null)) : [],
    }));
    this.prevW = net.layers.map((l, i) => buffers.create(`W${i} before last step`, (1 + count) * fanIn(net, i) * l.units * 4, STORAGE));
    this.prevB = net.layers.map((l, i) => buffers.create(`b${i} before last step`, (1 + count) * l.units * 4, STORAGE));
    this.prevN = net.layers.map((l, i) => (l.norm ? buffers.create(`norm${i} before last step`, (1 + count) * 2 * l.units * 4, STORAGE) : null));
    this.slotCount = count;
    this.slotsVersion++;
  }

  /** Frees the optimizer slots and the before-the-last-step copies. */
  freeSlots(): void {
    for (const s of this.slots ?? []) for (const b of [...s.w, ...s.b, ...s.n]) this.ctx.buffers.destroy(b);
    for (const b of [...this.prevW, ...this.prevB, ...this.prevN]) this.ctx.buffers.destroy(b);
    this.slots = null;
    this.prevW = [];
    this.prevB = [];
    this.prevN = [];
    this.slotCount = 0;
  }

  /** Copies every parameter buffer and its slots into `prev` (or back, with `restore`), in `enc`. */
  copyPrev(enc: GPUCommandEncoder, restore: boolean): void {
    const slots = this.slots;
    if (!slots) return;
    this.running.copyPrev(enc, restore);
    this.ctx.net.layers.forEach((_, i) => {
      for (const [theta, n, kind, prevs] of this.pairs(i)) {
        [theta, ...slots[i][kind].slice(0, this.slotCount)].forEach((buf, k) => {
          const prev = prevs[i];
          if (!buf || !prev) return;
          if (restore) enc.copyBufferToBuffer(prev, k * n * 4, buf, 0, n * 4);
          else enc.copyBufferToBuffer(buf, 0, prev, k * n * 4, n * 4);
        });
      }
    });
  }

  /**
   * Makes the current state the one an undo returns to ("before the last step"), in a submission
   * of its own; `latch: 'clear'` also clears the divergence flag (a training call starts).
   */
  resetPrev(label: string, latch: 'clear' | 'keep'): void {
    const enc = this.ctx.device.createCommandEncoder({ label });
    if (latch === 'clear') enc.clearBuffer(this.flags);
    this.copyPrev(enc, false);
    this.ctx.device.queue.submit([enc.finish()]);
    this.updatesSincePrev = 0;
  }

  /** The optimizer launches of one step (slots allocated for `opt` first), clipping the gradient when `clip` says so. */
  updateLaunches(opt: ResolvedOptimizer, clip?: OptimizerClip): Dispatch[] {
    this.ensureSlots(opt);
    const { net, launches } = this.ctx;
    const out: Dispatch[] = [];
    net.layers.forEach((_, i) => {
      for (const [theta, count, kind] of this.pairs(i)) {
        if (kind === 'b' && (!net.useBias || net.freezeBias)) continue;
        const [s1, s2] = this.slots![i][kind];
        const grad = kind === 'w' ? this.gW[i] : kind === 'b' ? this.gB[i] : this.gN[i]!;
        const prev = (kind === 'w' ? this.prevW : kind === 'b' ? this.prevB : this.prevN)[i]!;
        // γ/β train as biases do (no L2, L1 or weight decay), even under freezeBias, as on the CPU
        const name = kind === 'w' ? 'W' : kind === 'b' ? 'b' : 'norm';
        out.push(launches.optimizer({ theta, grad, s1, s2, prev, flags: this.flags, count, l2: kind === 'w' ? net.l2 : 0, l1: kind === 'w' ? net.l1 : 0, opt, bias: kind !== 'w', clip, label: `update ${name}${i}` }));
      }
    });
    // batch norm's running estimates take the batch's moments, undone with the update
    return [...out, ...this.running.updateLaunches(this.flags)];
  }

  /** Reads weights, biases and (when `withSlots`) optimizer slots in one copy and one map. */
  async read(withSlots: boolean): Promise<Checkpoint> {
    this.ctx.checkAlive();
    const { net, device, buffers } = this.ctx;
    const L = net.layers.length;
    const parts: { buf: GPUBuffer; n: number }[] = [];
    for (const kind of ['w', 'b', 'n']) net.layers.forEach((_, i) => parts.push(...this.pairs(i).filter((p) => p[2] === kind).map(([buf, n]) => ({ buf, n }))));
    parts.push(...this.running.parts());
    const slotted = withSlots && this.slots !== null && this.slotCount > 0;
    if (slotted) {
      net.layers.forEach((_, i) => {
        for (const [, n, kind] of this.pairs(i)) for (let s = 0; s < this.slotCount; s++) parts.push({ buf: this.slots![i][kind][s]!, n });
      });
    }
    const total = parts.reduce((a, p) => a + p.n, 0);
    const staging = buffers.create('state staging', total * 4, USAGE.MAP_READ | USAGE.COPY_DST);
    try {
      const enc = device.createCommandEncoder({ label: 'read state' });
      let off = 0;
      for (const p of parts) {
        enc.copyBufferToBuffer(p.buf, 0, staging, off * 4, p.n * 4);
        off += p.n;
      }
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_MODE_READ, 0, total * 4);
      const f = new Float32Array(staging.getMappedRange(0, total * 4).slice(0));
      staging.unmap();
      this.ctx.checkAlive();
      off = 0;
      const arrays = parts.map((p) => Float64Array.from(f.subarray(off, (off += p.n))));
      let at = 2 * L;
      const params: Params = { weights: arrays.slice(0, L), biases: arrays.slice(L, at) };
      if (this.N.some((n) => n)) params.norms = this.N.map((n) => (n ? arrays[at++] : null));
      if (this.running.present) params.normStats = this.running.stats.map((s) => (s ? arrays[at++] : null));
      const take = () => arrays.slice(at, (at += this.slotCount));
      const optimizer: OptimizerState | null = slotted ? { layers: net.layers.map((_, i) => ({ w: take(), b: take(), ...(this.N[i] ? { n: take() } : {}) })) } : null;
      return { params, optimizer };
    } finally {
      buffers.destroy(staging);
    }
  }

  /** Replaces weights, biases and γ/β (and makes them the checkpoint, as float32 holds them); refuses values float32 cannot hold. */
  writeParams(p: Params): void {
    checkFloat32Params(this.ctx.net, p);
    const missing = this.N.findIndex((n, i) => n && !p.norms?.[i]);
    if (missing >= 0) throw new RangeError(`norms[${missing}] is missing: layer ${missing} has norm '${this.ctx.net.layers[missing].norm}' and needs its γ and β`);
    this.running.check(p.normStats);
    const up = (to: (GPUBuffer | null)[]) => (a: Float64Array, i: number) => this.upload(to[i]!, a);
    const params: Params = { weights: p.weights.map(up(this.W)), biases: p.biases.map(up(this.B)) };
    if (this.N.some((n) => n)) params.norms = this.N.map((n, i) => (n ? this.upload(n, p.norms![i]!) : null));
    const normStats = this.running.write(p.normStats);
    if (normStats) params.normStats = normStats;
    this.checkpoint = { params, optimizer: this.checkpoint?.optimizer ?? null };
  }

  /** Writes `a` into `to` as float32 and returns what the device now holds (as float64). */
  private upload(to: GPUBuffer, a: Float64Array): Float64Array {
    const single = Float32Array.from(a);
    this.ctx.device.queue.writeBuffer(to, 0, single);
    return new Float64Array(single);
  }

  /** Zeroes the optimizer slots (a new optimizer spec). */
  resetOptimizer(): void {
    if (this.checkpoint) this.checkpoint.optimizer = null;
    if (!this.slots) return;
    const enc = this.ctx.device.createCommandEncoder({ label: 'reset optimizer' });
    for (const s of this.slots) for (const b of [...s.w, ...s.b, ...s.n]) if (b) enc.clearBuffer(b);
    this.ctx.device.queue.submit([enc.finish()]);
  }

  /** Replaces the optimizer slots, allocating them for the layout given. */
  writeOptimizerState(s: OptimizerState): void {
    const count = s.layers[0]?.w.length ?? 0;
    if (!this.slots || this.slotCount !== count) this.allocateSlots(count);
    const up = (to: (GPUBuffer | null)[]) => (a: Float64Array, k: number) => this.upload(to[k]!, a);
    const layers = s.layers.map((l, i) => {
      // γ/β slots the state does not give are zeroed
      const n = this.N[i] ? this.slots![i].n.slice(0, count).map((buf, k) => this.upload(buf!, l.n?.[k] ?? new Float64Array(buf!.size / 4))) : null;
      return { w: l.w.map(up(this.slots![i].w)), b: l.b.map(up(this.slots![i].b)), ...(n ? { n } : {}) };
    });
    if (this.checkpoint) this.checkpoint.optimizer = { layers };
  }

  /** Reads parameters and optimizer state back into the checkpoint. */
  async saveCheckpoint(): Promise<void> {
    this.checkpoint = await this.read(true);
  }

  /**
   * Puts a checkpoint taken on this device back (its slots, or zeroed slots when it has none or
   * another layout), without reallocating anything.
   */
  restore(cp: Checkpoint): void {
    this.writeParams(cp.params);
    if (cp.optimizer && this.slots && (cp.optimizer.layers[0]?.w.length ?? 0) === this.slotCount) this.writeOptimizerState(cp.optimizer);
    else this.resetOptimizer();
    this.checkpoint = cp;
  }
}
