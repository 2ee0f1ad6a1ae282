/**
 * The memory plan: where every region lives in the wasm memory, computed from the network's shape
 * and what the backend holds now (workspace rows, optimizer slots, data sets, batches per call).
 * Regions are 64-byte aligned and each is followed by 64 spare bytes, because the kernels read a
 * partial vector up to 12 bytes past a buffer's end. A plan beyond what a 32-bit memory can address
 * (4 GiB) is refused before anything is allocated, naming what takes the room.
 */
import { controlBytes } from './control';
import type { NetShape } from './shape';

/** The largest memory a wasm32 module can address: 65536 pages of 64 KiB. */
export const WASM32_MAX_BYTES = 2 ** 32;

/** How a data set is stored: element bytes of its inputs and targets, and whether it has row weights. */
export interface DataNeed {
  rows: number;
  xCols: number;
  yCols: number;
  /** Bytes per stored value: 4 (float32), 2 (float16) or 1 (bytes). */
  xBytes: number;
  yBytes: number;
  weights: boolean;
}

/** What the plan must make room for, besides the network's parameters. */
export interface Needs {
  /** Rows of the workspace (a training batch, or an inference chunk). */
  rows: number;
  /** Optimizer slots per parameter set. */
  slots: number;
  /** Data sets by name (the training set, the streamed blocks' slots). */
  data: Record<string, DataNeed>;
  /** Batches one `train` call takes (table and stats entries) and sample indices it reads. */
  batches: number;
  orderRows: number;
}

/** Byte offsets of a data set's regions. */
export interface DataRegions {
  x: number;
  y: number;
  w: number;
}

/** Byte offsets of every region, and the bytes the memory must have. */
export interface Layout {
  needs: Needs;
  sets: [number, number];
  slots: [number, number];
  grad: number;
  scratch: number;
  x: number;
  y: number;
  sw: number;
  delta: [number, number];
  /** Per layer: its output, its output after dropout, its dropout factors, its residual sum, its z, and a normalized layer's x̂ and 1/σ (0 where not kept). */
  layers: { act: number; dropped: number; factors: number; sum: number; z: number; xhat: number; invStd: number }[];
  data: Record<string, DataRegions>;
  order: number;
  table: number;
  stats: number;
  bytes: number;
}

const SPARE = 64;

/**
 * Plans the memory for `shape` and `needs`; throws a RangeError when it would pass 4 GiB.
 *
 * @example
 * const layout = planLayout(netShape(net), { rows: 64, slots: 2, data: {}, batches: 1, orderRows: 0 });
 */
export function planLayout(shape: NetShape, needs: Needs): Layout {
  // the threads' sync block (threads/partition.ts) sits right after the control block
  let at = controlBytes(shape.net.layers.length) + shape.syncBytes;
  const parts: Record<string, number> = {};
  const take = (what: string, bytes: number): number => {
    const start = at;
    at = Math.ceil((at + bytes + SPARE) / 64) * 64;
    parts[what] = (parts[what] ?? 0) + (at - start);
    return start;
  };
  const P = shape.paramFloats * 4;
  const R = needs.rows;
  const sets: [number, number] = [take('parameters', P), take('parameters', P)];
  const slots: [number, number] = [take('optimizer state', needs.slots * P), take('optimizer state', needs.slots * P)];
  const grad = take('gradients', P);
  const scratch = take('workspace', shape.scratchBytes);
  const x = take('workspace', R * shape.net.inputSize * 4);
  const y = take('workspace', R * shape.widths[shape.widths.length - 1] * 4);
  const sw = take('workspace', R * 4);
  const delta: [number, number] = [take('workspace', R * shape.widest * 4), take('workspace', R * shape.widest * 4)];
  const layers = shape.net.layers.map((layer, l) => {
    const act = take('workspace', R * layer.units * 4);
    const dropped = shape.dropout[l] ? take('workspace', R * layer.units * 4) : act;
    const factors = shape.dropout[l] ? take('workspace', R * layer.units * 4) : 0;
    const sum = layer.residual ? take('workspace', R * layer.units * 4) : 0;
    // the pre-activations, for the layers whose f' reads z (gelu, silu, mish, …)
    const z = shape.keepsZ[l] ? take('workspace', R * layer.units * 4) : 0;
    // a normalized layer's z, then x̂ in place, and 1/σ per row: what the norm's backward reads
    const xhat = layer.norm ? take('workspace', R * layer.units * 4) : 0;
    // (batch norm keeps 1/σ per unit, not per row)
    const invStd = layer.norm ? take('workspace', (layer.norm === 'batch' ? layer.units : R) * 4) : 0;
    return { act, dropped, factors, sum, z, xhat, invStd };
  });
  const data: Record<string, DataRegions> = {};
  for (const [name, d] of Object.entries(needs.data)) {
    data[name] = { x: take(`data (${name})`, d.rows * d.xCols * d.xBytes), y: take(`data (${name})`, d.rows * d.yCols * d.yBytes), w: d.weights ? take(`data (${name})`, d.rows * 4) : 0 };
  }
  const order = take('sample orders and batch table', needs.orderRows * 4);
  const table = take('sample orders and batch table', needs.batches * 32);
  const stats = take('sample orders and batch table', needs.batches * 32);
  if (at > WASM32_MAX_BYTES) {
    const list = Object.entries(parts).map(([what, bytes]) => `${what} ${bytes}`).join(', ');
    throw new RangeError(
      `the wasm backend needs ${at} bytes of memory (${list}), more than the ${WASM32_MAX_BYTES} bytes (4 GiB) a 32-bit WebAssembly memory can address; ` +
        'nothing was allocated. Use smaller batches, stream the data with fitDataset in smaller chunks, or store inputs as bytes',
    );
  }
  return { needs, sets, slots, grad, scratch, x, y, sw, delta, layers, data, order, table, stats, bytes: at };
}
