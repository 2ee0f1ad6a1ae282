// 'auto''s other backend, prepared while the run trains on wasm: WebGPU's trainer built and its
// pipelines compiled on a copy of the parameters, then timed at a boundary of the run.
import type { ResolvedConfig, ResolvedOptimizer } from '../core/config';
import type { EpochPlan, TrainerBackend } from '../core/trainer';
import { initParams } from '../core/params';
import { createWebGpuBackend } from '../gpu/backend';
import { checkNetworkFits } from '../gpu/limits';
import { adapterKey } from '../gpu/tune/cache';
import { calibrationPlan, syntheticData } from '../gpu/tune/calibration';
import type { TuneMode } from '../gpu/tune/autotune';
import { type BackendPick, type PickOptions, hostName, launchCostOf, launchesPerStep, pickBackend, probeGpu } from './backend-choice';
import { wasmSimdMissing } from '../wasm/support';

/** About how long (ms) the candidate's steps are timed at the boundary where they are compared. */
const CANDIDATE_TIMING_MS = 100;

/**
 * A trainer built in the background for 'auto' (WebGPU), training a copy of the parameters on
 * synthetic data: time its steady steps, then take it over (its synthetic data cleared) or dispose it.
 *
 * @example
 * const ms = await candidate.timeSteps(); const trainer = candidate.take();
 */
export interface Candidate {
  timeSteps(): Promise<number>;
  take(): TrainerBackend;
  dispose(): void;
}

/**
 * The backend 'auto' may move to once the batch size is known: its name in reasons, a cache key
 * of its adapter, the fixed cost of a step there (launches × cost per launch), the builder of
 * its {@link Candidate}, and `release` (of the device, when no candidate holds it).
 *
 * @example
 * const c = await later.build(config, rows, { type: 'sgd' });
 */
export interface Deferred {
  readonly label: string;
  readonly key: string;
  floor(config: ResolvedConfig): Promise<{ launches: number; ms: number }>;
  build(config: ResolvedConfig, rows: number, optimizer: ResolvedOptimizer): Promise<Candidate>;
  release(): void;
}

/**
 * Internal test hook (not public API): `deferred` stands in for WebGPU where there is none, and
 * `gpuStepMs` replaces the candidate's measured step time (to force a move, or keep the run).
 *
 * @example
 * setAutoTestHook({ gpuStepMs: () => 1e-6 }); // 'auto' moves to WebGPU at its first chance
 */
export interface AutoTestHook {
  deferred?: () => Deferred;
  gpuStepMs?: (measuredMs: number) => number;
}

let testHook: AutoTestHook | null = null;

/**
 * Sets (or, with null, clears) the {@link AutoTestHook}.
 *
 * @example
 * setAutoTestHook(null);
 */
export function setAutoTestHook(hook: AutoTestHook | null): void {
  testHook = hook;
}

/** The hook now set, or null. */
export const autoTestHook = (): AutoTestHook | null => testHook;

/** The trainer's epoch plan for the candidate's `k`-th step: the fit's optimizer with a step too small to move anything. */
const candidatePlan = (rows: number, k: number, optimizer: ResolvedOptimizer): EpochPlan => ({ ...calibrationPlan(rows, k), optimizer });

/**
 * WebGPU on `device` as 'auto''s deferred backend: `build` checks the device's limits, creates
 * the trainer on the seed's parameters and trains two synthetic steps (the first compiles its
 * pipelines). The trainer owns the device when the model requested it (`owns`).
 *
 * @example
 * const later = gpuDeferred(device, 'google swiftshader', true, { tune: 'fast' });
 */
export function gpuDeferred(device: GPUDevice, adapter: string, owns: boolean, opts: { tune: TuneMode; maxBindingBytes?: number; maxDeviceBytes?: number }): Deferred {
  let held = true;
  return {
    label: `WebGPU (${adapter})`,
    key: adapterKey(device),
    async floor(config) {
      const launches = launchesPerStep(config);
      return { launches, ms: launches * (await launchCostOf(device)).launchMs };
    },
    async build(config, rows, optimizer) {
      checkNetworkFits(device, config, opts.maxBindingBytes);
      const gpu = await createWebGpuBackend(config, initParams(config), device, { ownsDevice: owns, ...opts });
      held = false; // the trainer owns the device now (when the model requested it)
      try {
        const { x, y } = syntheticData(config, rows);
        await gpu.setTrainingData(x, y, rows);
        await gpu.trainEpochs([candidatePlan(rows, 0, optimizer)], null);
        await gpu.trainEpochs([candidatePlan(rows, 1, optimizer)], null);
      } catch (e) {
        gpu.dispose();
        throw e;
      }
      let k = 2;
      return {
        async timeSteps() {
          const t0 = performance.now();
          await gpu.trainEpochs([candidatePlan(rows, k++, optimizer)], null);
          const one = performance.now() - t0;
          const n = Math.max(1, Math.min(gpu.maxEpochsPerCall(1), Math.floor(CANDIDATE_TIMING_MS / Math.max(one, 1e-3))));
          const t1 = performance.now();
          await gpu.trainEpochs(Array.from({ length: n }, () => candidatePlan(rows, k++, optimizer)), null);
          return (performance.now() - t1) / n;
        },
        take() {
          gpu.clearTrainingData();
          return gpu;
        },
        dispose: () => gpu.dispose(),
      };
    },
    release() {
      if (owns && held) device.destroy();
      held = false;
    },
  };
}

/**
 * Where a new model starts. `'auto'` without a create-time hint (`options.auto`) starts on wasm
 * (the CPU where WebAssembly SIMD is missing) and keeps WebGPU, when there is one, as `later`,
 * for the first `fit` to time in the background; otherwise as {@link pickBackend} decides.
 *
 * @example
 * const pick = await pickAtCreate(config, undefined, { tune: 'fast' });
 */
export async function pickAtCreate(config: ResolvedConfig, device: GPUDevice | undefined, options: PickOptions & { maxBindingBytes?: number; maxDeviceBytes?: number }): Promise<BackendPick & { later?: Deferred }> {
  if (config.backend !== 'auto' || options.auto !== undefined) return pickBackend(config, device, options);
  const noWasm = wasmSimdMissing();
  const host = noWasm ? 'cpu' : 'wasm';
  const on = noWasm ? `the CPU (${noWasm})` : 'wasm';
  const probe = await probeGpu(device);
  const hook = testHook?.deferred;
  if (!probe.device && !hook) return { device: null, host, reason: `no WebGPU: ${probe.description}; training on ${on}`, adapter: null };
  const later = probe.device
    ? gpuDeferred(probe.device, probe.description, !device, { tune: options.tune ?? 'fast', maxBindingBytes: options.maxBindingBytes, maxDeviceBytes: options.maxDeviceBytes })
    : hook!();
  const reason = `auto starts on ${hostName(host)} (predict and evaluate run there); the first fit times ${later.label} in the background and moves there if it is faster`;
  return { device: null, host, reason, adapter: probe.device ? probe.description : null, later };
}
