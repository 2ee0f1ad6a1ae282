/**
 * Copies between the host's float64 arrays and the wasm memory's float32 regions: parameters and
 * optimizer slots of a parameter set, training data as stored (float32, bytes, or float16 bits),
 * and rows written into the batch blocks for inference.
 */
import { CTRL } from './control';
import { type WasmMemory, storedForm } from './memory';
import { type Segment, type SegmentKind, segmentOf } from './shape';
import type { Dense } from '../core/data';
import type { OptimizerState } from '../core/optimizer-state';
import type { Params } from '../core/params';

/** One layer's float64 arrays: W, b, γ/β, and a batch-normalized layer's running mean and variance. */
interface LayerArrays {
  w: Float64Array;
  b: Float64Array;
  n?: Float64Array | null;
  stats?: Float64Array | null;
}

/** Every segment of the region with its layer's float64 array in `p` (γ/β of the normalized layers after W and b, then the running estimates). */
function paramArrays(mem: WasmMemory, p: LayerArrays[]): [Segment, Float64Array | undefined][] {
  const of = (s: Segment) => (s.kind === 'weights' ? p[s.layer].w : s.kind === 'biases' ? p[s.layer].b : s.kind === 'norms' ? p[s.layer].n : p[s.layer].stats);
  return mem.shape.segments.map((s) => [s, of(s) ?? undefined]);
}

/** Writes `p` into parameter set `set` (the padding after each segment is left 0). */
export function writeParams(mem: WasmMemory, set: number, p: Params): void {
  const base = mem.layout.sets[set];
  const layers = p.weights.map((w, l) => ({ w, b: p.biases[l], n: p.norms?.[l], stats: p.normStats?.[l] }));
  const pairs = paramArrays(mem, layers);
  // refused before anything is written
  const missing = pairs.find(([, src]) => !src);
  if (missing) {
    const [{ layer, kind }] = missing;
    const what = kind === 'stats' ? `running mean and variance (normStats[${layer}])` : `γ/β (norms[${layer}])`;
    throw new RangeError(`the parameters have no ${what} for layer ${layer}, which has norm '${mem.shape.net.layers[layer].norm}'`);
  }
  for (const [s, src] of pairs) mem.f32(base + s.at * 4, s.length).set(src!);
}

/** Parameter set `set` as float64 arrays (`norms` when a layer has norm, `normStats` when one has norm 'batch'). */
export function readParams(mem: WasmMemory, set: number): Params {
  const base = mem.layout.sets[set];
  const read = (l: number, kind: SegmentKind) => {
    const s = segmentOf(mem.shape, l, kind);
    return Float64Array.from(mem.f32(base + s.at * 4, s.length));
  };
  const layers = mem.shape.net.layers;
  const p: Params = { weights: layers.map((_, l) => read(l, 'weights')), biases: layers.map((_, l) => read(l, 'biases')) };
  if (layers.some((layer) => layer.norm)) p.norms = layers.map((layer, l) => (layer.norm ? read(l, 'norms') : null));
  if (layers.some((layer) => layer.norm === 'batch')) p.normStats = layers.map((layer, l) => (layer.norm === 'batch' ? read(l, 'stats') : null));
  return p;
}

/** Slot `j` of segment (l, kind) of set `set`. */
function slotView(mem: WasmMemory, set: number, j: number, l: number, kind: SegmentKind): Float32Array {
  const s = segmentOf(mem.shape, l, kind);
  return mem.f32(mem.layout.slots[set] + (j * mem.shape.paramFloats + s.at) * 4, s.length);
}

/** The first `k` optimizer slots of set `set` as float64 arrays (`n` for a normalized layer's γ/β). */
export function readSlots(mem: WasmMemory, set: number, k: number): OptimizerState {
  const slots = (l: number, kind: SegmentKind) => Array.from({ length: k }, (_, j) => Float64Array.from(slotView(mem, set, j, l, kind)));
  return { layers: mem.shape.net.layers.map((layer, l) => ({ w: slots(l, 'weights'), b: slots(l, 'biases'), ...(layer.norm ? { n: slots(l, 'norms') } : {}) })) };
}

/** Writes `s`'s slots into set `set` (the plan holds at least as many slots); a normalized layer's γ/β slots start at 0 where `s` has none. */
export function writeSlots(mem: WasmMemory, set: number, s: OptimizerState): void {
  s.layers.forEach((layer, l) => {
    layer.w.forEach((a, j) => slotView(mem, set, j, l, 'weights').set(a));
    layer.b.forEach((a, j) => slotView(mem, set, j, l, 'biases').set(a));
    if (!mem.shape.net.layers[l].norm) return;
    layer.w.forEach((_, j) => {
      const view = slotView(mem, set, j, l, 'norms');
      view.fill(0);
      if (layer.n?.[j]) view.set(layer.n[j]);
    });
  });
}

/** Zeroes the first `k` slots of set `set`, padding included. */
export function zeroSlots(mem: WasmMemory, set: number, k: number): void {
  mem.f32(mem.layout.slots[set], k * mem.shape.paramFloats).fill(0);
}

/** A copy of parameter set `set`'s whole region (what keepBestParams holds). */
export function copyRegion(mem: WasmMemory, set: number): Float32Array {
  return mem.f32(mem.layout.sets[set], mem.shape.paramFloats).slice();
}

/** Writes a region copied by {@link copyRegion} back into set `set`. */
export function restoreRegion(mem: WasmMemory, set: number, region: Float32Array): void {
  mem.f32(mem.layout.sets[set], region.length).set(region);
}

/** Copies `d`'s stored values (bytes, float16 bits, or float32) to byte offset `at`. */
function writeStored(mem: WasmMemory, at: number, d: Dense): void {
  if (d.bytes) mem.u8(at, d.bytes.data.length).set(d.bytes.data);
  else if (d.half) mem.u8(at, d.half.byteLength).set(new Uint8Array(d.half.buffer, d.half.byteOffset, d.half.byteLength));
  else mem.f32(at, d.data.length).set(d.data);
}

/** Writes data set `name`'s rows into its regions (the plan must hold it). */
export function writeDataSet(mem: WasmMemory, name: string, x: Dense, y: Dense, weights: ArrayLike<number> | null): void {
  const r = mem.layout.data[name];
  if (!r) throw new Error(`the wasm memory plan holds no data set ${name}`);
  writeStored(mem, r.x, x);
  writeStored(mem, r.y, y);
  if (weights) mem.f32(r.w, x.rows).set(weights);
}

/** Points the control block at data set `name` (stored as `x`, `y` are), which `train` then gathers from. */
export function useDataSet(mem: WasmMemory, name: string, x: Dense, y: Dense, weights: boolean): void {
  const r = mem.layout.data[name];
  const v = mem.view();
  const form = (d: Dense) => storedForm(d).form;
  v.setUint32(CTRL.dataX, r.x, true);
  v.setUint32(CTRL.dataY, r.y, true);
  v.setUint32(CTRL.dataW, weights ? r.w : 0, true);
  v.setUint32(CTRL.xForm, form(x), true);
  v.setUint32(CTRL.yForm, form(y), true);
  v.setFloat32(CTRL.xScale, x.bytes?.scale ?? 1, true);
  v.setFloat32(CTRL.xOffset, x.bytes?.offset ?? 0, true);
  v.setFloat32(CTRL.yScale, y.bytes?.scale ?? 1, true);
  v.setFloat32(CTRL.yOffset, y.bytes?.offset ?? 0, true);
}

/** Writes rows [r0, r0 + count) of `d` as float32 into the x or y batch block (inference), bytes scaled without materialising all of `d` as float64. */
export function writeBlockRows(mem: WasmMemory, block: 'x' | 'y', d: Dense, r0: number, count: number): void {
  const out = mem.f32(block === 'x' ? mem.layout.x : mem.layout.y, count * d.cols);
  if (!d.bytes) {
    out.set(d.data.subarray(r0 * d.cols, (r0 + count) * d.cols));
    return;
  }
  const { data, scale, offset } = d.bytes;
  const from = r0 * d.cols;
  for (let i = 0; i < out.length; i++) out[i] = data[from + i] * scale + offset;
}
