/**
 * One `trainEpochs` (or `trainBlock`) call on the wasm backend: the plans' batches are written to
 * the batch table and run by the module in groups, one wasm call per group, each sized to last
 * about {@link GROUP_MS} so that the event loop gets a turn, an abort lands and a reporter hears
 * of each group (as on WebGPU, whose reporter gets groups of batches). Divergence is handled as
 * src/core/trainer.ts's Divergence says: the parameter set before the last update is still in
 * memory (the update writes the other set), so undoing it is flipping the current set back.
 */
import { CTRL, STATS, STATUS, TABLE } from './control';
import type { WasmMemory } from './memory';
import type { StepInstance } from './program';
import { writePlans } from './settings';
import { type BatchReporter, type BatchStats, type Divergence, type EpochPlan, type TrainOutcome, reportSafely } from '../core/trainer';

/** About how long (ms) one wasm call runs before the host gets control back. */
const GROUP_MS = 25;
/** How often (ms) a long call sequence yields to the event loop (as the CPU backend does). */
const YIELD_MS = 50;

/** What carries over between calls: rollback and optimizer-slot bookkeeping. */
export interface TrainState {
  /** The other parameter set holds the state before the last update (since the training data was set). */
  canUndo: boolean;
  /** Per parameter set, the optimizer slots it holds; null: none (as after resetOptimizer, before the first update). */
  slotsOf: (number | null)[];
  lastYield: number;
}

/** One call's setting: the data set in use (already pointed at), its rows and batching. */
export interface TrainCall {
  mem: WasmMemory;
  step: StepInstance;
  state: TrainState;
  /** Rows each plan visits (the data set's, or fewer: a part of an epoch) and rows per batch. */
  n: number;
  batchSize: number;
  /** Slots the plans' optimizer uses. */
  slots: number;
  /** The model has a regression output: stats carry absErr and sqErr. */
  regression: boolean;
  checkAlive(): void;
  /** The error naming the worker thread that died (the module stopped with STATUS.worker). */
  threadFailure(): Promise<Error>;
}

/** Stats of table entries [first, first + count). */
function readStats(c: TrainCall, first: number, count: number): BatchStats[] {
  const v = c.mem.view();
  const { stats, table } = c.mem.layout;
  return Array.from({ length: count }, (_, i) => {
    const at = stats + (first + i) * STATS.bytes;
    const s: BatchStats = { lossSum: v.getFloat64(at + STATS.lossSum, true), correct: v.getFloat64(at + STATS.correct, true), size: v.getUint32(table + (first + i) * TABLE.bytes + TABLE.rows, true) };
    if (c.regression) {
      s.absErr = v.getFloat64(at + STATS.absErr, true);
      s.sqErr = v.getFloat64(at + STATS.sqErr, true);
    }
    return s;
  });
}

/** Records `updates` updates taken from set `from`: the sets they wrote hold the plans' slots, and the last one can be undone. */
function recordUpdates(c: TrainCall, from: number, updates: number): void {
  if (updates < 1) return;
  c.state.slotsOf[from ^ 1] = c.slots;
  if (updates > 1) c.state.slotsOf[from] = c.slots;
  c.state.canUndo = true;
}

/**
 * Trains `plans` over the data set `c` points at (see {@link TrainCall}); see
 * TrainerBackend.trainEpochs for what the outcome holds.
 */
export async function trainCall(c: TrainCall, plans: EpochPlan[], report: BatchReporter | null, signal?: AbortSignal): Promise<TrainOutcome> {
  const batches = Math.ceil(c.n / c.batchSize);
  const total = writePlans(c.mem, plans, c.n, c.batchSize);
  const flat: BatchStats[] = [];
  let msPerBatch = 0;
  let divergence: Divergence | undefined;
  let callbackError: { error: unknown } | undefined;
  let stopped = false;
  for (let g = 0; g < total; ) {
    c.checkAlive();
    if (signal?.aborted) {
      stopped = true;
      break;
    }
    const count = msPerBatch > 0 ? Math.max(1, Math.min(total - g, Math.floor(GROUP_MS / msPerBatch))) : 1;
    const from = c.mem.view().getUint32(CTRL.cur, true);
    const t0 = performance.now();
    const done = c.step.train(g, count);
    msPerBatch = (performance.now() - t0) / done;
    const status = c.mem.view().getUint32(CTRL.status, true);
    const stats = readStats(c, g, done);
    flat.push(...stats);
    recordUpdates(c, from, status === STATUS.ok ? done : done - 1);
    if (status === STATUS.worker) {
      // the batch that saw the worker die applied nothing: the state is the last completed step's
      if (report && done > 1) await reportSafely(report, g, stats.slice(0, -1));
      throw await c.threadFailure();
    }
    if (status !== STATUS.ok) {
      if (report && done > 1) await reportSafely(report, g, stats.slice(0, -1));
      divergence = settle(c, g + done - 1, status, stats[done - 1].lossSum, batches);
      break;
    }
    if (report) callbackError = await reportSafely(report, g, stats);
    g += done;
    if (callbackError) {
      stopped = true;
      break;
    }
    if (Date.now() - c.state.lastYield > YIELD_MS) {
      await new Promise((r) => setTimeout(r, 0));
      c.state.lastYield = Date.now();
    }
  }
  const perEpoch: BatchStats[][] = [];
  for (let s = 0; s < flat.length; s += batches) perEpoch.push(flat.slice(s, s + batches));
  if (perEpoch.length === 0) perEpoch.push([]);
  return { stats: perEpoch, stopped: stopped && !divergence, divergence, callbackError };
}

/** Undoes what the divergence at entry `s` calls for and describes it (see Divergence). */
function settle(c: TrainCall, s: number, status: number, lossSum: number, batches: number): Divergence {
  const at = { epochIndex: Math.floor(s / batches), batch: s % batches, lossSum };
  if (status === STATUS.update) {
    // the update went to the other set and was not taken: the current set is the state before it
    c.state.canUndo = false;
    return { ...at, kind: 'update', kept: s, beforeAnyUpdate: false };
  }
  const undone = c.state.canUndo;
  if (undone) {
    const v = c.mem.view();
    v.setUint32(CTRL.cur, v.getUint32(CTRL.cur, true) ^ 1, true);
  }
  c.state.canUndo = false;
  return { ...at, kind: 'loss', kept: s - (undone ? 1 : 0), beforeAnyUpdate: !undone };
}
