import type { TrainerBackend } from '../core/trainer';
import { type AutoHint, type HostBackend, resolveAutoHint } from './backend-choice';
import { type Deferred, pickAtCreate } from './auto-probe';
import { TUNE_MODES, type TuneMode } from '../gpu/tune/autotune';
import { BACKENDS, type ResolvedConfig, checkChoice, checkFloat32Settings, checkInteger, describeValue, readConfig, resolveConfig } from '../core/config';
import { CpuBackend } from '../cpu/backend';
import { createWebGpuBackend } from '../gpu/backend';
import { createWasmBackend } from '../wasm/backend';
import { GpuDeviceLostError } from '../core/errors';
import { checkNetworkFits } from '../gpu/limits';
import { lookupData, or, readRecord } from '../core/inspect';
import { withNorms } from '../core/norm-params';
import { type Params, biasesFromArrays, checkFloat32Params, initParams, paramsFromArrays } from '../core/params';
import { parseModelJSON } from './serialize';
import type { ModelConfig } from '../core/types';

/**
 * Options for creating a model, beyond its config.
 *
 * @example
 * const model = await MLP.create(config, { device, onDeviceLost: 'error', tune: 'full' });
 */
export interface CreateOptions {
  /** Use this WebGPU device instead of requesting one (e.g. to share it between models). */
  device?: GPUDevice;
  /**
   * What to do if the GPU device is lost during `fit`: `'cpu'` (default) finishes on the CPU from
   * the last completed step; `'error'` rejects.
   */
  onDeviceLost?: 'cpu' | 'error';
  /**
   * Largest GPU storage binding to use, in bytes (default: the device's `maxStorageBufferBindingSize`).
   * Data larger than one binding is split over as many as it needs.
   */
  maxBindingBytes?: number;
  /**
   * Most bytes this model may hold on the GPU (default: no limit but the device's memory, whose
   * refusal is reported with the sizes). `fit` refuses, before allocating, data that would take
   * it past this, naming the bytes needed and available; `fitDataset` streams such data.
   */
  maxDeviceBytes?: number;
  /**
   * How much the matmul autotuner may measure on this device: `'off'`, `'fast'` (default: at most
   * a few hundred ms on first use; choices are cached per adapter) or `'full'` (every variant).
   */
  tune?: TuneMode;
  /**
   * For `backend: 'auto'`: decide at create (timing a step on both backends) for this batch size
   * and, optionally, about how many steps, instead of at the first fit (the default: see docs/backends.md).
   */
  auto?: AutoHint;
  /**
   * Threads the wasm backend splits its large matrix products across (default: every core; 1: one
   * thread). Used where SharedArrayBuffer is: Node, and cross-origin-isolated pages; one elsewhere.
   */
  threads?: number;
}

/**
 * The names {@link CreateOptions} may have.
 *
 * @example
 * CREATE_KEYS.includes('maxDeviceBytes'); // true
 */
export const CREATE_KEYS = ['device', 'onDeviceLost', 'maxBindingBytes', 'maxDeviceBytes', 'tune', 'auto', 'threads'] as const;

/**
 * Validated create options.
 *
 * @example
 * const opts: ResolvedCreateOptions = resolveCreateOptions({ tune: 'off' });
 */
export interface ResolvedCreateOptions {
  device?: GPUDevice;
  onDeviceLost: 'cpu' | 'error';
  maxBindingBytes?: number;
  maxDeviceBytes?: number;
  tune: TuneMode;
  /** Undefined when not given: `'auto'` then decides at the first fit. */
  auto?: AutoHint;
  threads?: number;
}

const deviceLimits = typeof GPUDevice === 'function' ? Object.getOwnPropertyDescriptor(GPUDevice.prototype, 'limits')?.get : undefined;

/**
 * True when `v` is a GPUDevice: where the `GPUDevice` interface exists, by calling its built-in
 * `limits` getter on `v` (which throws for anything else); elsewhere (Node with Dawn) by finding
 * the methods the library calls, without invoking getters.
 */
function isGpuDevice(v: unknown): v is GPUDevice {
  if (v === null || typeof v !== 'object') return false;
  if (deviceLimits) {
    try {
      deviceLimits.call(v);
      return true;
    } catch {
      return false;
    }
  }
  return ['createBuffer', 'createCommandEncoder', 'createBindGroup', 'createComputePipeline'].every((k) => typeof lookupData(v, k) === 'function');
}

/**
 * Validates `MLP.create`'s second argument: known names only (with the closest valid one), a real
 * GPUDevice, `onDeviceLost` and `maxBindingBytes` — whatever backend is chosen.
 *
 * @example
 * resolveCreateOptions({ onDeviceLost: 'error' }); // { onDeviceLost: 'error' }
 */
export function resolveCreateOptions(options: unknown): ResolvedCreateOptions {
  const o = readRecord(options === undefined ? {} : options, 'create options', CREATE_KEYS, '{device?, onDeviceLost?, maxBindingBytes?, maxDeviceBytes?, tune?, auto?, threads?}');
  if (o.device !== undefined && !isGpuDevice(o.device)) throw new TypeError(`device must be a GPUDevice (from adapter.requestDevice()), got ${describeValue(o.device)}`);
  const onDeviceLost = checkChoice('onDeviceLost', or(o.onDeviceLost, 'cpu'), ['cpu', 'error'] as const);
  const maxBindingBytes = o.maxBindingBytes === undefined ? undefined : checkInteger('maxBindingBytes', o.maxBindingBytes, 16);
  const maxDeviceBytes = o.maxDeviceBytes === undefined ? undefined : checkInteger('maxDeviceBytes', o.maxDeviceBytes, 1);
  const tune = checkChoice('tune', or(o.tune, 'fast'), TUNE_MODES);
  const auto = o.auto === undefined ? undefined : resolveAutoHint(o.auto);
  const threads = o.threads === undefined ? undefined : checkInteger('threads', o.threads, 1);
  return { device: o.device as GPUDevice | undefined, onDeviceLost, maxBindingBytes, maxDeviceBytes, tune, auto: auto && { batchSize: auto.batchSize, steps: auto.steps ?? undefined }, threads };
}

/**
 * Validates a config completely (structure, caps, explicit weights and biases) and returns it
 * resolved, with a function that gives its starting parameters (the explicit ones, else drawn
 * from the seed only when called, so nothing is allocated before the backend's limits are checked).
 *
 * @example
 * const { resolved, params } = configAndParams({ inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'mse' });
 * params().weights[0].length; // 2
 */
export function configAndParams(config: ModelConfig): { resolved: ResolvedConfig; params: () => Params } {
  const c = readConfig(config);
  const resolved = resolveConfig(c);
  if (c.weights !== undefined) {
    const given = paramsFromArrays(resolved, c.weights, c.biases);
    return { resolved, params: () => given };
  }
  const biases = c.biases === undefined ? null : biasesFromArrays(resolved, c.biases);
  return {
    resolved,
    params: () => {
      const p = initParams(resolved);
      if (biases) p.biases = biases;
      return p;
    },
  };
}

/**
 * Validates `MLP.fromJSON`'s arguments — the file completely, the backend and the create
 * options — and returns the config and parameters it holds.
 *
 * @example
 * const { resolved, params, opts } = fromJSONParts(await model.toJSON(), { backend: 'cpu' }, {});
 */
export function fromJSONParts(json: unknown, config: unknown, options: unknown): { resolved: ResolvedConfig; params: () => Params; opts: ResolvedCreateOptions } {
  const c = readRecord(config === undefined ? {} : config, 'fromJSON config', ['backend'], "{backend?: 'cpu' | 'webgpu' | 'wasm' | 'auto'}");
  const backend = c.backend === undefined ? undefined : checkChoice('backend', c.backend, BACKENDS);
  const opts = resolveCreateOptions(options);
  const parsed = parseModelJSON(json);
  const resolved = resolveConfig({ ...parsed.config, backend });
  const params = withNorms(resolved, paramsFromArrays(resolved, parsed.weights, parsed.biases), parsed.norms);
  return { resolved, params: () => params, opts };
}

/**
 * The trainer a new model starts with, why, and the adapter found.
 *
 * @example
 * const { impl, reason, adapter }: Trainer = await buildTrainer(resolved, params, opts);
 */
export interface Trainer {
  impl: TrainerBackend;
  reason: string;
  adapter: string | null;
  /** For `'auto'` decided at the first fit: the backend it may move to. */
  later?: Deferred;
}

/** Why float32 cannot hold the parameters `p` or the config's L2 (null when it can). */
function float32Refusal(config: ResolvedConfig, p: Params): Error | null {
  try {
    checkFloat32Params(config, p);
    checkFloat32Settings({ type: 'sgd' }, 1, config.l2, config.l1, config.huberDelta);
    return null;
  } catch (e) {
    return e as Error;
  }
}

/** 'auto''s way out when float32 cannot hold the model: the float64 CPU path, saying why. */
const cpuInstead = (config: ResolvedConfig, p: Params, refusal: Error, adapter: string | null): Trainer => ({
  impl: new CpuBackend(config, p),
  reason: `auto chose the CPU: ${refusal.message.replace(/; use backend 'cpu'.*$/, '')}`,
  adapter,
});

/**
 * The trainer without a GPU: wasm (float32, so parameters and L2 it cannot hold are refused for
 * `backend: 'wasm'` and keep `'auto'` on the float64 CPU path), or the CPU.
 */
async function hostTrainer(host: HostBackend, config: ResolvedConfig, params: () => Params, reason: string, adapter: string | null, threads?: number): Promise<Trainer> {
  const p = params();
  if (host === 'cpu') return { impl: new CpuBackend(config, p), reason, adapter };
  const refusal = float32Refusal(config, p);
  if (refusal) {
    if (config.backend === 'wasm') throw refusal;
    return cpuInstead(config, p, refusal, adapter);
  }
  return { impl: await createWasmBackend(config, p, { threads }), reason, adapter };
}

/**
 * Picks the backend and builds its trainer; on WebGPU the device's limits and, on WebGPU and
 * wasm, the parameters' float32 range are checked before anything is allocated. A device
 * requested here is destroyed on every path that does not use it.
 *
 * @example
 * const { impl, reason } = await buildTrainer(resolved, params, resolveCreateOptions({}));
 */
export async function buildTrainer(config: ResolvedConfig, params: () => Params, options: ResolvedCreateOptions): Promise<Trainer> {
  const pick = await pickAtCreate(config, options.device, { auto: options.auto, tune: options.tune, maxBindingBytes: options.maxBindingBytes, maxDeviceBytes: options.maxDeviceBytes });
  if (!pick.device) {
    const later = 'later' in pick ? pick.later : undefined;
    const t = await hostTrainer(pick.host, config, params, pick.reason, pick.adapter, options.threads).catch((e: Error) => {
      later?.release();
      throw e;
    });
    // a float64 run ('auto' on the CPU for parameters float32 cannot hold) never moves to WebGPU
    if (t.impl.name === pick.host) return { ...t, later };
    later?.release();
    return t;
  }
  const device = pick.device;
  const release = () => {
    if (!options.device) device.destroy();
  };
  // the device's limits before the parameters are drawn; then parameters float32 cannot hold keep
  // 'auto' on the CPU and are refused for 'webgpu'
  let p: Params;
  try {
    checkNetworkFits(device, config, options.maxBindingBytes);
    p = params();
  } catch (e) {
    release();
    throw e;
  }
  const refusal = float32Refusal(config, p);
  if (refusal) {
    release();
    if (config.backend === 'webgpu') throw refusal;
    return cpuInstead(config, p, refusal, pick.adapter);
  }
  try {
    const gpu = await createWebGpuBackend(config, p, device, { ownsDevice: !options.device, maxBindingBytes: options.maxBindingBytes, maxDeviceBytes: options.maxDeviceBytes, tune: options.tune });
    return { impl: gpu, reason: pick.reason, adapter: pick.adapter };
  } catch (e) {
    release();
    throw e;
  }
}

/**
 * The CPU trainer that continues from a lost WebGPU backend's last checkpoint (parameters and
 * optimizer state at the end of its last completed epoch), the reason to show, and the error to
 * reject with under `onDeviceLost: 'error'`. The lost backend is disposed.
 *
 * @example
 * const { impl, reason } = await cpuFromCheckpoint(net, gpuBackend, new GpuDeviceLostError('destroyed'), 3);
 */
export async function cpuFromCheckpoint(
  net: ResolvedConfig, gpu: TrainerBackend, err: GpuDeviceLostError, epoch: number | null, unit: 'epoch' | 'block' = 'epoch',
): Promise<{ impl: CpuBackend; reason: string; error: GpuDeviceLostError }> {
  const saved = gpu.lastCheckpoint();
  if (!saved) throw new Error(`${err.message}; no checkpoint was available to continue from`);
  const cpu = new CpuBackend(net, saved.params);
  if (saved.optimizer) await cpu.writeOptimizerState(saved.optimizer);
  try {
    gpu.dispose();
  } catch {
    // the device is gone already
  }
  const where = epoch === null ? '' : ` during epoch ${epoch}`;
  return {
    impl: cpu,
    reason: `${err.message}${where}; continued on the CPU from the last completed ${unit}`,
    error: new GpuDeviceLostError(
      `${err.message.replace(/^the WebGPU device was lost: /, '')}${where}. onDeviceLost is 'error', so training stopped; ` +
        `the model now holds the weights of the last completed ${unit} on the CPU backend`,
    ),
  };
}

