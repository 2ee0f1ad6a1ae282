/**
 * Drawing on the page's thread, at most once per display frame and within a time budget: each
 * part of the page schedules its redraw under a key (a newer redraw replaces a queued one), and
 * every animation frame runs queued redraws until the budget is spent, leaving the rest for the
 * next frame. However fast the worker reports, the page never does more than one frame's work
 * at a time.
 *
 * @example
 * const frames = new FrameQueue();
 * frames.schedule('weights', () => pager.show(view));
 * frames.throttle('progress', () => (label.textContent = text), 100);
 */
export class FrameQueue {
  private readonly jobs = new Map<string, () => void>();
  private frame = 0;

  /** @param budgetMs milliseconds of drawing per frame before the rest waits for the next one */
  constructor(private readonly budgetMs = 6) {}

  /** Queues `draw` under `key`, replacing what was queued under it. */
  schedule(key: string, draw: () => void): void {
    this.jobs.delete(key); // re-inserted last: older keys go first
    this.jobs.set(key, draw);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.run());
  }

  private readonly latest = new Map<string, () => void>();
  private readonly timers = new Map<string, number>();
  private readonly ranAt = new Map<string, number>();

  /**
   * Like {@link schedule}, but runs `key` at most every `minMs` (the newest `draw` wins): for
   * parts that change with every report, such as progress text and charts, where redrawing ten
   * times a second is plenty and each redraw also costs the browser a layout and a paint.
   */
  throttle(key: string, draw: () => void, minMs: number): void {
    this.latest.set(key, draw);
    if (this.timers.has(key) || this.jobs.has(key)) return;
    const run = () => {
      this.ranAt.set(key, performance.now());
      const latest = this.latest.get(key);
      this.latest.delete(key);
      latest?.();
    };
    const wait = (this.ranAt.get(key) ?? -Infinity) + minMs - performance.now();
    if (wait <= 0) return this.schedule(key, run);
    this.timers.set(
      key,
      window.setTimeout(() => {
        this.timers.delete(key);
        this.schedule(key, run);
      }, wait),
    );
  }

  /** Runs what is queued or throttled under `key` now (e.g. the last progress when a run ends). */
  flush(key: string): void {
    const draw = this.latest.get(key) ?? this.jobs.get(key);
    this.cancel(key);
    if (!draw) return;
    this.ranAt.set(key, performance.now());
    draw();
  }

  /** Drops what is queued under `key`. */
  cancel(key: string): void {
    this.jobs.delete(key);
    this.latest.delete(key);
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  /** Number of redraws waiting. */
  get pending(): number {
    return this.jobs.size;
  }

  private run(): void {
    this.frame = 0;
    const t0 = performance.now();
    for (const [key, draw] of this.jobs) {
      this.jobs.delete(key);
      try {
        draw();
      } catch (e) {
        console.error(`drawing ${key} failed`, e);
      }
      if (performance.now() - t0 > this.budgetMs) break;
    }
    if (this.jobs.size && !this.frame) this.frame = requestAnimationFrame(() => this.run());
  }
}

/** The page's one frame queue. */
export const frames = new FrameQueue();

/** How often text that changes with every report (progress, metrics) and the charts are redrawn. */
export const TEXT_MS = 100;
