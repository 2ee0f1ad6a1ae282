/**
 * What a wasm backend holds in its memory besides the parameters — the training set, the streamed
 * blocks' slots, the optimizer slot capacity, the batches one call takes — and the plan that makes
 * room for it. A change is planned and the memory grown before it is committed: a refusal (4 GiB,
 * or the engine's) leaves the backend holding what it held. Data sets whose regions moved are
 * written again from the host's arrays, which the backend keeps (as the CPU backend does).
 */
import type { Dense } from '../core/data';
import type { Needs } from './layout';
import { type WasmMemory, dataNeed } from './memory';
import { writeDataSet } from './transfer';

/** Rows the workspace holds at least: predict and evaluate run in chunks of this many. */
const MIN_ROWS = 64;

/** A data set held in memory, with the batch size it trains in. */
export interface HeldData {
  x: Dense;
  y: Dense;
  /** One weight per row, or null. */
  w: Float64Array | null;
  batchSize: number;
}

/** Everything the plan makes room for. */
export interface Holdings {
  /** By data set name: 'train', 'block0', 'block1', 'profile'. */
  data: Record<string, HeldData | null>;
  slots: number;
  /** Most table entries and sample indices one train call has needed so far. */
  batches: number;
  orderRows: number;
}

/** The plan's needs for `h`. */
export function needsOf(h: Holdings): Needs {
  const held = Object.entries(h.data).filter((e): e is [string, HeldData] => e[1] !== null);
  return {
    rows: Math.max(MIN_ROWS, ...held.map(([, d]) => d.batchSize)),
    slots: h.slots,
    data: Object.fromEntries(held.map(([name, d]) => [name, dataNeed(d.x, d.y, d.w !== null)])),
    batches: Math.max(1, h.batches),
    orderRows: Math.max(1, h.orderRows),
  };
}

/** The holdings and the memory they live in; see the file's comment. */
export class Held {
  private key: string;

  constructor(private readonly mem: WasmMemory, public h: Holdings) {
    this.key = JSON.stringify(needsOf(h));
  }

  /**
   * Makes `next` the holdings: re-plans and grows the memory when their needs differ, then writes
   * the data sets that moved and those named in `fresh` (new contents). Throws, changing nothing,
   * when the memory cannot hold them.
   */
  hold(next: Holdings, fresh: string[] = []): void {
    const needs = needsOf(next);
    const key = JSON.stringify(needs);
    const moved = key === this.key ? [] : this.mem.replan(needs);
    this.h = next;
    this.key = key;
    for (const name of new Set([...moved, ...fresh])) {
      const d = next.data[name];
      if (d) writeDataSet(this.mem, name, d.x, d.y, d.w);
    }
  }

  /** Holds what `change` makes of a copy of the holdings (see {@link Held.hold}). */
  update(change: (h: Holdings) => void, fresh: string[] = []): void {
    const next: Holdings = { ...this.h, data: { ...this.h.data } };
    change(next);
    this.hold(next, fresh);
  }

  /** Rows the workspace holds now. */
  get rows(): number {
    return this.mem.layout.needs.rows;
  }
}
