import type { BatchStats, Checkpoint, Divergence } from '../../core/trainer';
import type { GpuContext } from '../context';
import { type DeviceParameters, checkpointFinite } from './parameters';

/** What one training call leaves for the guard to settle. */
export interface CallEnd {
  /** The checkpoint when the call started (null before the first). */
  start: Checkpoint | null;
  /** The stats of the steps read back; cut to the steps kept. */
  stats: BatchStats[];
  /** The first step whose objective was not finite, or -1. */
  bad: number;
  /** Steps submitted. */
  executed: number;
  /** Batches an epoch (to name a step's epoch and batch). */
  batches: number;
  /** Submits step `s` of the call again, alone (for the replay). */
  runStep(s: number): void;
}

/**
 * Ends a training call safely: undoes the update before a non-finite objective, saves the
 * checkpoint, and when the state read back is still not finite, replays the call to find and
 * undo the update that made it so.
 *
 * @example
 * const divergence = await new DivergenceGuard(ctx, state).settle({ start, stats, bad, executed, batches, runStep });
 */
export class DivergenceGuard {
  constructor(
    private readonly ctx: GpuContext,
    private readonly state: DeviceParameters,
  ) {}

  /** Settles the call (see the class); returns the divergence, if there was one. */
  async settle(end: CallEnd): Promise<Divergence | undefined> {
    this.ctx.checkAlive();
    const { start, stats, bad, executed } = end;
    let divergence: Divergence | undefined;
    if (bad >= 0) {
      stats.length = bad + 1;
      // the last update before step `bad` led to it: undo it, if one ran since "before the last step" was set
      const undone = this.state.updatesSincePrev + bad > 0;
      this.restorePrev(undone);
      divergence = divergenceAt(end.batches, bad, 'loss', bad - (undone ? 1 : 0), !undone, stats[bad].lossSum);
    } else {
      this.state.updatesSincePrev += executed;
    }
    await this.state.saveCheckpoint();
    if (checkpointFinite(this.state.checkpoint) || !start) return divergence;
    const s = await this.replay(start, bad >= 0 ? bad : executed, end.runStep);
    stats.length = Math.min(stats.length, s + 1);
    await this.state.saveCheckpoint();
    return divergenceAt(end.batches, s, 'update', s, false, stats[s]?.lossSum ?? NaN);
  }

  /** Puts back the state from before the last update that ran (unless `undo` is false), and clears the divergence flag. */
  private restorePrev(undo = true): void {
    const enc = this.ctx.device.createCommandEncoder({ label: 'undo diverged step' });
    if (undo) this.state.copyPrev(enc, true);
    enc.clearBuffer(this.state.flags);
    this.ctx.device.queue.submit([enc.finish()]);
    this.state.updatesSincePrev = 0;
  }

  /**
   * Restores `start` and runs steps 0, 1, … of the call one at a time, reading the state after
   * each, until an update leaves it non-finite; undoes that update and returns its step. When all
   * `limit` steps keep the state finite, restores `start` again and returns 0 (nothing kept).
   */
  private async replay(start: Checkpoint, limit: number, runStep: (s: number) => void): Promise<number> {
    this.state.restore(start);
    const enc = this.ctx.device.createCommandEncoder({ label: 'replay from the call start' });
    enc.clearBuffer(this.state.flags);
    this.state.copyPrev(enc, false);
    this.ctx.device.queue.submit([enc.finish()]);
    for (let s = 0; s < limit; s++) {
      runStep(s);
      if (!checkpointFinite(await this.state.read(true))) {
        this.restorePrev();
        return s;
      }
    }
    this.state.restore(start);
    return 0;
  }
}

/** The divergence at step `s` of a call (epochs of `batches` batches). */
function divergenceAt(batches: number, s: number, kind: Divergence['kind'], kept: number, beforeAnyUpdate: boolean, lossSum: number): Divergence {
  return { epochIndex: Math.floor(s / batches), batch: s % batches, kind, kept, beforeAnyUpdate, lossSum };
}
