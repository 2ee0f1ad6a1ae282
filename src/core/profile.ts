/**
 * GPU time of one launch of a training step.
 *
 * @example
 * for (const l of (await model.profile(x, y)).launches) console.log(l.label, l.ms);
 */
export interface LaunchTiming {
  /** What the launch computes, e.g. `forward 0`, `dW 1`, `update W0`. */
  label: string;
  /** Kernel file and entry point, e.g. `matmul:blocked`. */
  kernel: string;
  /** Workgroups dispatched, [x, y]. */
  workgroups: [number, number];
  /** Mean milliseconds per launch over the profiled steps. */
  ms: number;
}

/**
 * What {@link MLP.profile} returns.
 *
 * @example
 * const { stepMs, source } = await model.profile(x, y, { batchSize: 64 });
 */
export interface StepProfile {
  /** `timestamp-query`: GPU timestamps around each launch; `wall-clock`: each launch submitted and awaited alone (adapters without the feature). */
  source: 'timestamp-query' | 'wall-clock';
  /** Training steps timed. */
  steps: number;
  /** Rows per step. */
  batchSize: number;
  /** Every launch of one step, in order. */
  launches: LaunchTiming[];
  /** Sum of the launches' times: one step's GPU time, without submission overhead. */
  stepMs: number;
}

/**
 * One kernel's share of a profiled step: its launches in the step and their summed mean GPU time.
 *
 * @example
 * const [slowest]: KernelTiming[] = kernelTimings(await model.profile(x, y));
 */
export interface KernelTiming {
  /** Kernel file and entry point, e.g. `matmul-subgroups:main`. */
  kernel: string;
  launches: number;
  ms: number;
}

/**
 * The launches of a {@link StepProfile} summed per kernel (file and entry point), slowest first:
 * where a training step's GPU time goes, kernel by kernel.
 *
 * @example
 * const p = await model.profile(x, y, { batchSize: 256, steps: 5 });
 * for (const k of kernelTimings(p)) console.log(k.kernel, k.launches, k.ms.toFixed(2), 'ms');
 */
export function kernelTimings(profile: StepProfile): KernelTiming[] {
  const by = new Map<string, KernelTiming>();
  for (const l of profile.launches) {
    const k = by.get(l.kernel) ?? { kernel: l.kernel, launches: 0, ms: 0 };
    k.launches++;
    k.ms += l.ms;
    by.set(l.kernel, k);
  }
  return [...by.values()].sort((a, b) => b.ms - a.ms);
}
