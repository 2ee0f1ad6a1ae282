// A model's optimizer state across training calls: kept while the optimizer spec stays the same,
// started fresh when it changes, and put back when a call with a new spec fails before its first step.
import type { ResolvedOptimizer } from '../core/config';
import type { TrainerBackend } from '../core/trainer';
import type { TrainingProgress } from '../fit/loop';

/**
 * Which optimizer spec a model's state belongs to, and the switch to another one.
 *
 * @example
 * await optimizers.during(backend, () => backend, { type: 'sgd' }, () => false, () => runEpochs(host, plan, history));
 */
export class OptimizerSwitch {
  /** The spec the current optimizer state belongs to, as JSON ('' before any training). */
  private key = '';

  constructor(private readonly progress: TrainingProgress) {}

  /**
   * Starts a fresh optimizer state on `impl` when `opt` differs from the current spec; returns
   * what puts the previous one back (unless `current()` is no longer `impl`), or null when nothing changed.
   */
  async use(impl: TrainerBackend, current: () => TrainerBackend, opt: ResolvedOptimizer): Promise<(() => Promise<void>) | null> {
    const key = JSON.stringify(opt);
    if (key === this.key) return null;
    const saved = { key: this.key, steps: this.progress.steps, slots: await impl.readOptimizerState() };
    impl.resetOptimizer();
    this.key = key;
    this.progress.steps = 0;
    return async () => {
      if (current() !== impl) return;
      this.key = saved.key;
      this.progress.steps = saved.steps;
      if (saved.slots) await impl.writeOptimizerState(saved.slots);
      else impl.resetOptimizer();
    };
  }

  /**
   * Runs training call `run` with optimizer `opt` (see {@link OptimizerSwitch.use}); when it
   * rejects before the new optimizer kept a step, the previous optimizer's state is put back
   * (unless the model was disposed meanwhile).
   */
  async during(impl: TrainerBackend, current: () => TrainerBackend, opt: ResolvedOptimizer, disposed: () => boolean, run: () => Promise<void>): Promise<void> {
    const previous = await this.use(impl, current, opt);
    try {
      await run();
    } catch (e) {
      if (previous && this.progress.steps === 0 && !disposed()) await previous();
      throw e;
    }
  }
}
