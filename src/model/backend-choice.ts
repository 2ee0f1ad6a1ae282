import { type ResolvedConfig, checkInteger, describeValue, resolveOptimizer } from '../core/config';
import { CpuBackend } from '../cpu/backend';
import type { TrainerBackend } from '../core/trainer';
import { createWasmBackend } from '../wasm/backend';
import { wasmSimdMissing } from '../wasm/support';
import type { TuneMode } from '../gpu/tune/autotune';
import { type GpuStepTiming, type LaunchCost, measureLaunchCost, syntheticData, timeGpuSteps } from '../gpu/tune/calibration';
import { type GpuProbe, describeInfo, requestGpu } from '../gpu/device';
import { adapterKey, currentStore } from '../gpu/tune/cache';
import { type Params, initParams } from '../core/params';

/**
 * Formerly the parameter count under which `'auto'` chose the CPU. `'auto'` now times both
 * backends instead (see `pickBackend`); kept for code that reads it.
 * @deprecated
 *
 * @example
 * AUTO_MIN_PARAMETERS; // 20000, read by nothing in the library
 */
export const AUTO_MIN_PARAMETERS = 20_000;

/**
 * The batch size `'auto'` times when none is given (`fit`'s default).
 *
 * @example
 * resolveAutoHint(undefined).batchSize === AUTO_DEFAULT_BATCH; // true
 */
export const AUTO_DEFAULT_BATCH = 32;
/** About how long each backend is timed for (ms), beyond the GPU's setup and a first host step. */
const TIMING_BUDGET_MS = 300;
/** Each round of host steps lasts about this long (ms), and has at most MAX_ROUND_STEPS steps. */
const ROUND_MS = 5;
const MAX_ROUND_STEPS = 1024;
/** Longest host step timed whole (ms); longer ones are extrapolated from smaller batches. */
const LONGEST_HOST_STEP_MS = 1500;

/**
 * What `'auto'` is told about the training to come (`MLP.create(config, { auto })`): the batch
 * size `fit` will use (default 32), and optionally about how many training steps the model will
 * take, so that the GPU's setup time (compiling its pipelines) is weighed against them.
 *
 * @example
 * await MLP.create({ ...config, backend: 'auto' }, { auto: { batchSize: 256, steps: 2000 } });
 */
export interface AutoHint {
  batchSize?: number;
  steps?: number;
}

/**
 * Validates an {@link AutoHint} (a TypeError or RangeError naming the bad field).
 *
 * @example
 * resolveAutoHint({ batchSize: 256 }); // { batchSize: 256, steps: null }
 */
export function resolveAutoHint(hint: unknown): { batchSize: number; steps: number | null } {
  if (hint === undefined) return { batchSize: AUTO_DEFAULT_BATCH, steps: null };
  if (hint === null || typeof hint !== 'object' || Array.isArray(hint)) throw new TypeError(`auto must be an object {batchSize?, steps?}, got ${describeValue(hint)}`);
  const h = hint as Record<string, unknown>;
  const unknown = Object.keys(h).filter((k) => k !== 'batchSize' && k !== 'steps');
  if (unknown.length) throw new TypeError(`auto has no option ${unknown.map((k) => `'${k}'`).join(', ')} (it takes batchSize and steps)`);
  const batchSize = h.batchSize === undefined ? AUTO_DEFAULT_BATCH : checkInteger('auto.batchSize', h.batchSize, 1, 1 << 20);
  const steps = h.steps === undefined ? null : checkInteger('auto.steps', h.steps, 1);
  return { batchSize, steps };
}

/**
 * The backends that train without a GPU: float32 WebAssembly SIMD, or the float64 JavaScript path.
 *
 * @example
 * const host: HostBackend = wasmSimdMissing() ? 'cpu' : 'wasm';
 */
export type HostBackend = 'wasm' | 'cpu';

/** How a reason names `host`. */
export const hostName = (host: HostBackend) => (host === 'wasm' ? 'wasm' : 'the CPU');

/**
 * Where a new model trains: on `host` (wasm or the CPU), or on `device`; with the reason and the
 * adapter found.
 *
 * @example
 * const { device, reason }: BackendPick = await pickBackend(config, undefined);
 */
export type BackendPick =
  | { device: null; host: HostBackend; reason: string; adapter: string | null }
  | { device: GPUDevice; reason: string; adapter: string };

/**
 * Options of `pickBackend`.
 *
 * @example
 * const options: PickOptions = { auto: { batchSize: 128 }, tune: 'off' };
 */
export interface PickOptions {
  auto?: AutoHint;
  /** The tuning mode the model's WebGPU trainer will use (the calibration uses it too). */
  tune?: TuneMode;
}

/**
 * Decides where `config.backend` trains, probing `device` (or requesting one). `'auto'` times a
 * training step of the network on WebGPU and on wasm (the float64 CPU path only where WebAssembly
 * SIMD is missing) at the hinted batch size (see {@link calibrate}). A device requested here and
 * not used is destroyed.
 *
 * @example
 * const pick = await pickBackend(resolveConfig({ ...config, backend: 'auto' }), undefined, { auto: { batchSize: 256 } });
 * console.log(pick.device ? 'webgpu' : pick.host, pick.reason);
 */
export async function pickBackend(config: ResolvedConfig, device: GPUDevice | undefined, options: PickOptions = {}): Promise<BackendPick> {
  const choice = config.backend;
  if (choice === 'cpu') return { device: null, host: 'cpu', reason: "backend 'cpu' was requested", adapter: null };
  const noWasm = wasmSimdMissing();
  if (choice === 'wasm') {
    if (noWasm) throw new Error(`backend 'wasm' was requested but ${noWasm}; use backend 'cpu' (float64 JavaScript) or 'auto'`);
    return { device: null, host: 'wasm', reason: "backend 'wasm' was requested", adapter: null };
  }
  const host: HostBackend = noWasm ? 'cpu' : 'wasm';
  const hint = resolveAutoHint(options.auto);
  const probe = await probeGpu(device);
  if (!probe.device) {
    if (choice === 'webgpu') throw new Error(`backend 'webgpu' was requested but no WebGPU device is available: ${probe.description}`);
    const where = noWasm ? `the CPU (${noWasm})` : 'wasm';
    return { device: null, host, reason: `no WebGPU: ${probe.description}; training on ${where}`, adapter: null };
  }
  if (choice === 'webgpu') return { device: probe.device, reason: "backend 'webgpu' was requested", adapter: probe.description };
  let verdict: { gpu: boolean; why: string };
  try {
    verdict = await calibrate(config, probe.device, probe.description, hint, options.tune ?? 'fast', host);
  } catch (e) {
    verdict = { gpu: false, why: `WebGPU could not be timed (${(e as Error).message.split('\n')[0]})` };
  }
  if (verdict.gpu) return { device: probe.device, reason: `auto chose WebGPU: ${verdict.why}`, adapter: probe.description };
  if (!device) probe.device.destroy();
  return { device: null, host, reason: `auto chose ${hostName(host)}: ${verdict.why}`, adapter: probe.description };
}

/** What one calibration measured (stored per adapter, host backend, network and batch size). */
interface Calibration {
  /** A step on the host backend (wasm, or the CPU where WebAssembly SIMD is missing). */
  hostStepMs: number;
  /** Null when the GPU was not timed (it could not win: see `floorMs`, `setupEstimateMs`). */
  gpu: GpuStepTiming | null;
  cost: LaunchCost;
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toPrecision(2));

/** Launches in one training step of `config` (gathers, forward, loss, statistics, backward, updates): an estimate. */
export function launchesPerStep(config: ResolvedConfig): number {
  const L = config.layers.length;
  const softmax = config.layers[L - 1].activation === 'softmax' ? 1 : 0;
  const bias = config.useBias && !config.freezeBias ? 1 : 0;
  return 4 + softmax + L + L * (1 + bias) + (L - 1) + L * (1 + bias);
}

/**
 * `'auto'`'s measurement, at create: a training step of the network at the hinted batch size on
 * `host` (timed on a smaller batch and extrapolated when a step is long), the adapter's cost per
 * launch, and, unless the GPU cannot win, steps on WebGPU after its setup. WebGPU is chosen when
 * its step is faster, and, given `steps`, its setup plus the steps take less than the steps on
 * `host`. Kept per adapter, host, network and batch size (memory and persistent store).
 */
async function calibrate(config: ResolvedConfig, device: GPUDevice, adapter: string, hint: { batchSize: number; steps: number | null }, tune: TuneMode, host: HostBackend): Promise<{ gpu: boolean; why: string }> {
  const on = hostName(host);
  const b = hint.batchSize;
  const key = `auto ${adapterKey(device)} ${host} ${netKey(config)} batch ${b} tune ${tune}`;
  const stored = await readCalibration(key);
  const fresh = !stored;
  const params = initParams(config);
  const m: Calibration = stored ?? { hostStepMs: await timeHostStep(host, config, params, b), gpu: null, cost: await launchCostOf(device) };
  const launches = launchesPerStep(config);
  const floorMs = launches * m.cost.launchMs;
  const tail = `(batch ${b}, ${fresh ? 'timed at create' : 'timed before on this adapter'})`;
  if (m.hostStepMs <= floorMs) {
    if (fresh) await writeCalibration(key, m);
    return { gpu: false, why: `a training step takes ${fmt(m.hostStepMs)} ms on ${on}; on WebGPU (${adapter}) its ${launches} launches alone take ${fmt(floorMs)} ms ${tail}` };
  }
  const setupEstimate = launches * m.cost.compileMs;
  if (hint.steps !== null && !m.gpu && hint.steps * m.hostStepMs <= setupEstimate) {
    if (fresh) await writeCalibration(key, m);
    return { gpu: false, why: `${hint.steps} steps take about ${fmt(hint.steps * m.hostStepMs)} ms on ${on}, less than WebGPU's setup (about ${fmt(setupEstimate)} ms to compile its pipelines) ${tail}` };
  }
  const measuredNow = !m.gpu;
  if (!m.gpu) {
    m.gpu = await timeGpuSteps(config, params, device, b, tune, TIMING_BUDGET_MS);
    await writeCalibration(key, m);
  }
  const g = m.gpu;
  // setup just measured is paid already (its pipelines stay compiled on this device)
  const setup = measuredNow ? 0 : g.setupMs;
  const steps = hint.steps;
  const gpuWins = steps === null ? g.stepMs < m.hostStepMs : setup + steps * g.stepMs < steps * m.hostStepMs;
  const times = `a training step took ${fmt(g.stepMs)} ms on WebGPU (${adapter}) and ${fmt(m.hostStepMs)} ms on ${on}; WebGPU's setup took ${fmt(g.setupMs)} ms`;
  const run = steps === null ? '' : `; for ${steps} steps: ${fmt(setup + steps * g.stepMs)} ms against ${fmt(steps * m.hostStepMs)} ms`;
  return { gpu: gpuWins, why: `${times}${run} ${tail}` };
}

/** The network's shape as a cache key: sizes, activations, loss, bias settings. */
export const netKey = (c: ResolvedConfig) => `${c.inputSize}-${c.layers.map((l) => `${l.units}${l.activation}${l.residual ? 'r' : ''}`).join('-')} ${c.loss}${c.useBias ? '' : ' nobias'}${c.freezeBias ? ' frozen' : ''}`;

/** Fixed costs of each adapter measured this session, and from the persistent store. */
const launchCosts = new WeakMap<GPUDevice, Promise<LaunchCost>>();

/** The fixed costs of `device`'s adapter: measured once per device, kept in the store per adapter. */
export async function launchCostOf(device: GPUDevice): Promise<LaunchCost> {
  let p = launchCosts.get(device);
  if (!p) {
    const key = `launch cost ${adapterKey(device)}`;
    p = (async () => {
      const stored = (await currentStore().read(key).catch(() => null)) as LaunchCost | null;
      if (stored && Number.isFinite(stored.launchMs) && Number.isFinite(stored.compileMs)) return stored;
      const cost = await measureLaunchCost(device);
      await currentStore().write(key, cost).catch(() => {});
      return cost;
    })();
    launchCosts.set(device, p);
  }
  return p;
}

const sessionCalibrations = new Map<string, Calibration>();

async function readCalibration(key: string): Promise<Calibration | null> {
  const known = sessionCalibrations.get(key);
  if (known) return known;
  const r = (await currentStore().read(key).catch(() => null)) as Calibration | null;
  const ok = r && Number.isFinite(r.hostStepMs) && r.cost && Number.isFinite(r.cost.launchMs) && (r.gpu === null || Number.isFinite(r.gpu?.stepMs));
  return ok ? r : null;
}

async function writeCalibration(key: string, m: Calibration): Promise<void> {
  sessionCalibrations.set(key, m);
  await currentStore().write(key, m).catch(() => {});
}

/**
 * Milliseconds of one training step of `config` at batch `rows` on `host`, timed on whole steps,
 * or extrapolated linearly from smaller ones when a step would take longer than
 * {@link LONGEST_HOST_STEP_MS} (a step's cost is affine in its rows).
 *
 * @example
 * const ms = await timeHostStep('wasm', config, initParams(config), 256);
 */
export async function timeHostStep(host: HostBackend, config: ResolvedConfig, params: Params, rows: number): Promise<number> {
  const small = Math.min(rows, 8);
  const tSmall = await hostSteps(host, config, params, small, TIMING_BUDGET_MS / 10);
  if (rows === small) return tSmall;
  const guess = (tSmall * rows) / small;
  if (guess <= LONGEST_HOST_STEP_MS) return hostSteps(host, config, params, rows, Math.min(TIMING_BUDGET_MS, 2 * guess));
  const mid = Math.max(small + 1, Math.floor((rows * LONGEST_HOST_STEP_MS) / guess));
  const tMid = await hostSteps(host, config, params, mid, 0);
  const perRow = Math.max(0, (tMid - tSmall) / (mid - small));
  return Math.max(tMid, tSmall + perRow * (rows - small));
}

/**
 * Milliseconds per step on `host` at batch `rows`: the least over rounds of steps (a pause of the
 * page, such as garbage collection, only ever adds time). Rounds last about {@link ROUND_MS}
 * (clocks in pages are coarse), until about `minMs` have passed; at least one step after a
 * warm-up step (which compiles wasm's module for the shape).
 */
async function hostSteps(host: HostBackend, config: ResolvedConfig, params: Params, rows: number, minMs: number): Promise<number> {
  const trainer: TrainerBackend = host === 'wasm' ? await createWasmBackend(config, params) : new CpuBackend(config, params);
  try {
    const { x, y } = syntheticData(config, rows);
    await trainer.setTrainingData(x, y, rows);
    const plan = { order: Uint32Array.from({ length: rows }, (_, i) => i), batchSize: rows, learningRate: 1e-9, optimizer: resolveOptimizer('sgd'), stepsBefore: 0 };
    let n = 0;
    const round = async (steps: number) => {
      const t = performance.now();
      for (let k = 0; k < steps; k++) await trainer.trainEpochs([{ ...plan, stepsBefore: n++ }], null);
      return (performance.now() - t) / steps;
    };
    await round(1); // the warm-up
    const first = await round(1); // the size of a round
    let steps = Math.max(1, Math.min(MAX_ROUND_STEPS, Math.ceil(ROUND_MS / Math.max(first, 1e-3))));
    let best = Infinity;
    const end = performance.now() + minMs;
    while (performance.now() < end) {
      const ms = await round(steps);
      // a round too short for the clock says little: it only counts once long enough, and grows
      if (ms * steps >= ROUND_MS / 2 || steps === MAX_ROUND_STEPS) best = Math.min(best, ms);
      if (ms * steps < ROUND_MS) steps = Math.min(MAX_ROUND_STEPS, steps * 2);
    }
    return Number.isFinite(best) ? best : first;
  } finally {
    trainer.dispose();
  }
}

/** The device passed in (described from its adapter info when it has one), or a newly requested one. */
export async function probeGpu(device: GPUDevice | undefined): Promise<GpuProbe> {
  if (!device) return requestGpu();
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const { description, software } = info ? describeInfo(info) : { description: 'the device passed in', software: false };
  return { device, adapter: null, description, software };
}
