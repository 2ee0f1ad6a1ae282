/**
 * A backend's wasm memory and its current plan: grown (never shrunk: wasm memories cannot) to what
 * the plan needs, and the control block's pointers written from the plan. Growing is the only
 * allocation: a plan beyond 4 GiB is refused before it (planLayout), and a grow the engine refuses
 * leaves the memory, the plan and the backend as they were.
 */
import { CTRL, FORM, layerField } from './control';
import { type DataNeed, type Layout, type Needs, WASM32_MAX_BYTES, planLayout } from './layout';
import type { NetShape } from './shape';
import type { Dense } from '../core/data';

const PAGE = 65536;

/** How `d` is stored in wasm memory: its form and bytes per value. */
export function storedForm(d: Dense): { form: number; bytes: number } {
  return d.bytes ? { form: FORM.u8, bytes: 1 } : d.half ? { form: FORM.f16, bytes: 2 } : { form: FORM.f32, bytes: 4 };
}

/** The {@link DataNeed} of a data set `x`, `y` (with row weights or not). */
export function dataNeed(x: Dense, y: Dense, weights: boolean): DataNeed {
  return { rows: x.rows, xCols: x.cols, yCols: y.cols, xBytes: storedForm(x).bytes, yBytes: storedForm(y).bytes, weights };
}

/** The memory, its plan, and typed views over it (made afresh after every grow, which detaches the old buffer). */
export class WasmMemory {
  readonly memory: WebAssembly.Memory;
  layout: Layout;

  /**
   * Shared when the shape's module runs on several threads (a shared memory must declare a
   * maximum: all 65536 pages unless `maximumPages` says fewer, which tests use to make a grow fail).
   */
  constructor(readonly shape: NetShape, needs: Needs, maximumPages?: number) {
    const layout = planLayout(shape, needs);
    const initial = Math.ceil(layout.bytes / PAGE);
    this.memory = new WebAssembly.Memory(
      shape.threads > 1 ? { initial, maximum: maximumPages ?? WASM32_MAX_BYTES / PAGE, shared: true } : { initial, maximum: maximumPages },
    );
    this.layout = layout;
    this.writePointers();
  }

  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length);
  }

  u8(at: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, at, length);
  }

  u32(at: number, length: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, at, length);
  }

  view(): DataView {
    return new DataView(this.memory.buffer);
  }

  /**
   * Re-plans for `needs` and grows the memory to it. Returns the names of the data sets whose
   * regions moved (their contents must be written again). Throws a RangeError, changing nothing,
   * when the plan passes 4 GiB or the engine refuses to grow.
   */
  replan(needs: Needs): string[] {
    const next = planLayout(this.shape, needs);
    const have = this.bytes;
    if (next.bytes > have) {
      try {
        this.memory.grow(Math.ceil((next.bytes - have) / PAGE));
      } catch (e) {
        throw new RangeError(
          `the wasm backend could not grow its memory from ${have} to ${next.bytes} bytes (${describeNeeds(needs)}): ${(e as Error).message}; ` +
            'nothing was changed. Use smaller batches, stream the data with fitDataset in smaller chunks, or store inputs as bytes',
          { cause: e },
        );
      }
    }
    const moved = Object.keys(next.data).filter((name) => {
      const was = this.layout.data[name];
      return !was || was.x !== next.data[name].x || was.y !== next.data[name].y || was.w !== next.data[name].w;
    });
    // the optimizer reads the padding after each gradient segment, which no kernel writes: it must be 0
    if (next.grad !== this.layout.grad) this.f32(next.grad, this.shape.paramFloats).fill(0);
    this.layout = next;
    this.writePointers();
    return moved;
  }

  /** Writes every region's address into the control block (the current set index is kept). */
  private writePointers(): void {
    const v = this.view();
    const l = this.layout;
    const put = (field: number, value: number) => v.setUint32(field, value, true);
    put(CTRL.set0, l.sets[0]);
    put(CTRL.set1, l.sets[1]);
    put(CTRL.slots0, l.slots[0]);
    put(CTRL.slots1, l.slots[1]);
    put(CTRL.grad, l.grad);
    put(CTRL.scratch, l.scratch);
    put(CTRL.x, l.x);
    put(CTRL.y, l.y);
    put(CTRL.sw, l.sw);
    put(CTRL.delta0, l.delta[0]);
    put(CTRL.delta1, l.delta[1]);
    put(CTRL.order, l.order);
    put(CTRL.table, l.table);
    put(CTRL.stats, l.stats);
    l.layers.forEach((r, i) => {
      put(layerField(i, 'act'), r.act);
      put(layerField(i, 'dropped'), r.dropped);
      put(layerField(i, 'factors'), r.factors);
      put(layerField(i, 'sum'), r.sum);
      put(layerField(i, 'z'), r.z);
      put(layerField(i, 'xhat'), r.xhat);
      put(layerField(i, 'invStd'), r.invStd);
    });
  }
}

/** The needs in words, for messages. */
function describeNeeds(n: Needs): string {
  const data = Object.entries(n.data).map(([name, d]) => `${name}: ${d.rows} rows`).join(', ');
  return `batches of ${n.rows} rows, ${n.slots} optimizer slots${data ? `, data ${data}` : ''}`;
}
