// The rules of a model's public calls: none after `dispose()`, one training call at a time, and
// a call that `dispose()` lands in the middle of rejects with one clear error.

/**
 * The dispose and training state of one model, and the checks its public calls run through.
 *
 * @example
 * const calls = new CallGuard();
 * const out = await calls.run('predict()', () => backend.predict(x));
 */
export class CallGuard {
  /** Set by `dispose()`; every later call is refused. */
  disposed = false;
  /** The training call running now (`'fit()'` or `'fitDataset()'`), or null. */
  fitting: string | null = null;

  /** Throws if the model was disposed. */
  checkUsable(what: string): void {
    if (this.disposed) throw new Error(`${what} called after dispose(): this model's resources are freed; create a new model`);
  }

  /** Throws if the model was disposed or a training call is running. */
  checkIdle(what: string): void {
    this.checkUsable(what);
    if (this.fitting) throw new Error(`${what} called while ${this.fitting} is running`);
  }

  /**
   * Runs public operation `what`: refused after `dispose()`; when `dispose()` lands while it
   * runs, it rejects with one clear "disposed" error whatever the backend was doing.
   */
  async run<T>(what: string, op: () => Promise<T>): Promise<T> {
    this.checkUsable(what);
    const interrupted = () => new Error(`${what} did not finish: dispose() was called while it ran, so this model's resources are freed; create a new model`);
    let out: T;
    try {
      out = await op();
    } catch (e) {
      throw this.disposed ? interrupted() : e;
    }
    if (this.disposed) throw interrupted();
    return out;
  }

  /** Runs training call `what` as {@link CallGuard.run} does, refused while another one runs. */
  async exclusive<T>(what: string, op: () => Promise<T>): Promise<T> {
    this.checkUsable(what);
    if (this.fitting) throw new Error(`${this.fitting} is already running on this model; await the first call before starting another`);
    this.fitting = what;
    try {
      return await this.run(what, op);
    } finally {
      this.fitting = null;
    }
  }
}
