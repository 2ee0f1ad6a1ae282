import type { Report, Request, Snapshot } from './protocol';

/** How long Stop waits for the worker to answer before replacing it (so that Stop always ends within a second). */
export const STOP_TIMEOUT_MS = 700;

/**
 * The page's side of the training worker: sends requests, keeps the last weights the worker
 * reported, and makes Stop certain. Stop asks the worker to stop, and the worker answers at once
 * unless its thread is stuck (a CPU batch that takes seconds); without an answer within
 * {@link STOP_TIMEOUT_MS} the worker is terminated and a new one started, and `onReplaced` is
 * told which snapshot to restore.
 *
 * @example
 * const client = new TrainerClient((r) => handle(r), (snapshot) => restore(snapshot));
 * client.send({ type: 'probe' });
 */
export class TrainerClient {
  private worker: Worker;
  private stopTimer = 0;
  /** The last snapshot of the weights the worker posted, and when (page clock) it arrived. */
  snapshot: Snapshot | null = null;
  snapshotAt = 0;
  /** Reports received so far (the worker throttles them; tests check the rate). */
  received = 0;

  constructor(
    private readonly onReport: (r: Report) => void,
    private readonly onReplaced: (snapshot: Snapshot | null, ageSeconds: number) => void,
    private readonly onFailure: (message: string) => void,
  ) {
    this.worker = this.start();
  }

  private start(): Worker {
    const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<Report>) => this.receive(e.data);
    w.onerror = (e) => this.onFailure(e.message || 'the worker script failed to load');
    return w;
  }

  private receive(r: Report): void {
    this.received++;
    if (r.type === 'snapshot') {
      this.snapshot = r.snapshot;
      this.snapshotAt = performance.now();
      return;
    }
    // the worker answered Stop (or finished): it is not stuck, so it is not replaced
    if (r.type === 'stopping' || r.type === 'done' || (r.type === 'error' && r.during === 'train')) this.clearStopTimer();
    this.onReport(r);
  }

  /** Posts `req` (transferring `transfer`). */
  send(req: Request, transfer: Transferable[] = []): void {
    this.worker.postMessage(req, transfer);
  }

  /** Forgets the snapshot (a new dataset or a discarded model). */
  forgetSnapshot(): void {
    this.snapshot = null;
  }

  /** Asks the running job to stop; replaces the worker if it does not finish in time. */
  stop(): void {
    this.send({ type: 'stop' });
    this.clearStopTimer();
    this.stopTimer = window.setTimeout(() => this.replace(), STOP_TIMEOUT_MS);
  }

  private clearStopTimer(): void {
    clearTimeout(this.stopTimer);
    this.stopTimer = 0;
  }

  /** Terminates the worker (its model and data go with it) and starts a fresh one. */
  private replace(): void {
    this.stopTimer = 0;
    this.worker.terminate();
    this.worker = this.start();
    const age = this.snapshot ? (performance.now() - this.snapshotAt) / 1000 : 0;
    this.onReplaced(this.snapshot, age);
  }
}
