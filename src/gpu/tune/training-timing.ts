import { type ShapeChoice, type TuneMode, type TuneRequest, isVariantId, tuneRequests, tuningOf } from './autotune';
import { deviceTunerDeps } from './device-timing';
import { shapeKey } from '../kernels/matmul-variants';
import type { GpuContext } from '../context';
import type { DeviceMatrix } from '../kernels/device-matrix';
import { outputSize } from '../../core/config';
import { LaunchRecorder } from '../kernels/launch-recorder';
import type { LaunchRequest } from '../kernels/launch-request';
import type { DeviceParameters } from '../train/parameters';
import { createWorkspace, backwardLaunches, forwardLaunches, releaseWorkspace } from '../train/step';
import { adapterKey, currentStore } from './cache';

/** Version of the stored matmul choices (bumped when their meaning changes). */
const STORE_VERSION = 1;

/**
 * The matmul launches of one training step for batches of `rows` rows, as tuning requests (noted
 * by a {@link LaunchRecorder}: no pipeline or bind group is created).
 *
 * @example
 * matmulRequests(ctx, state, 64).map((r) => r.shape); // forward, ∂W and δ products of each layer
 */
export function matmulRequests(ctx: GpuContext, state: DeviceParameters, rows: number): TuneRequest[] {
  return recordStep(ctx, state, rows).flatMap((r) => (r.matmul ? [{ shape: r.matmul.shape, modes: r.matmul.modes }] : []));
}

/** Every launch of one training step for batches of `rows` rows, as a {@link LaunchRecorder} notes them. */
function recordStep(ctx: GpuContext, state: DeviceParameters, rows: number): LaunchRequest[] {
  const recorder = new LaunchRecorder(ctx.launches.traits, ctx.launches.choice);
  const build = { net: ctx.net, buffers: ctx.buffers, launches: recorder };
  const ws = createWorkspace(ctx, rows, 'tuning');
  try {
    const none = ws.rowStats; // a stand-in: the recorder binds nothing
    const stand = (cols: number): DeviceMatrix => ({ buffers: [none], shardRows: rows, rowStride: cols, element: 'f32', scale: 1, offset: 0, capacity: rows, cols });
    forwardLaunches(build, state, ws, { X: stand(ctx.net.inputSize), Y: stand(outputSize(ctx.net)), order: none, stats: none, train: true });
    backwardLaunches(build, state, ws);
  } finally {
    releaseWorkspace(ctx, ws);
  }
  return recorder.requests;
}

/** Devices whose stored choices were read already. */
const loaded = new WeakSet<GPUDevice>();

/** Reads the stored choices for `device`'s adapter into its tuning state (once per device). */
async function loadStored(device: GPUDevice): Promise<void> {
  if (loaded.has(device)) return;
  loaded.add(device);
  let record: unknown;
  try {
    record = await currentStore().read(`matmul ${adapterKey(device)}`);
  } catch {
    return; // an unreadable store is an empty one
  }
  const r = record as { version?: number; choices?: Record<string, unknown> } | null;
  if (!r || r.version !== STORE_VERSION || !r.choices || typeof r.choices !== 'object') return;
  const state = tuningOf(device);
  for (const [key, value] of Object.entries(r.choices)) {
    const c = value as Partial<ShapeChoice>;
    if (!c || !isVariantId(c.variant) || !c.shape || shapeKey(c.shape) !== key || state.choices.has(key)) continue;
    state.choices.set(key, { shape: c.shape, variant: c.variant, source: 'cache', timings: Array.isArray(c.timings) ? c.timings : [], complete: c.complete === true });
  }
}

/** Writes `device`'s measured choices to the store. */
async function saveMeasured(device: GPUDevice): Promise<void> {
  const choices: Record<string, ShapeChoice> = {};
  for (const [key, c] of tuningOf(device).choices) if (c.source !== 'default') choices[key] = { ...c, source: 'cache' };
  try {
    await currentStore().write(`matmul ${adapterKey(device)}`, { version: STORE_VERSION, choices });
  } catch {
    // not persisted: the choices still hold for this page or process
  }
}

/**
 * Chooses a variant for each of `requests` on the context's device (see `tuneRequests`),
 * using and updating the adapter's stored choices unless `mode` is `'off'`.
 *
 * @example
 * const choices = await tuneMatmuls(ctx, matmulRequests(ctx, state, 256), 'full');
 */
export async function tuneMatmuls(ctx: GpuContext, requests: TuneRequest[], mode: TuneMode): Promise<ShapeChoice[]> {
  const { device } = ctx;
  if (mode !== 'off') await loadStored(device);
  const deps = deviceTunerDeps(device, ctx.launches.traits, ctx.launches.cache, ctx.buffers, ctx.checkAlive);
  let out: ShapeChoice[];
  try {
    out = await tuneRequests(tuningOf(device), requests, mode, deps);
  } finally {
    deps.release();
  }
  if (mode !== 'off' && out.some((c) => c.source === 'measured')) await saveMeasured(device);
  return out;
}

/**
 * Gets a training step ready: the tuner chooses the products' variants for batches of `rows` rows
 * (within `mode`) while the other kernels compile, then `build` (uploads, launches) runs with what
 * is left compiling in parallel; resolves once all are ready.
 *
 * @example
 * const run = await prepareTraining(ctx, state, 64, 'fast', () => TrainingRun.create(ctx, state, { x, y, batchSize: 64 }));
 */
export async function prepareTraining<T>(ctx: GpuContext, state: DeviceParameters, rows: number, mode: TuneMode, build: () => T): Promise<T> {
  const step = recordStep(ctx, state, rows);
  // the other kernels do not depend on the tuner: they compile while it works
  const others = step.filter((r) => !r.matmul).map((r) => ctx.launches.cache.ref(r.kernel, r.entry, r.constants).ready.catch(() => {}));
  await tuneMatmuls(ctx, step.flatMap((r) => (r.matmul ? [{ shape: r.matmul.shape, modes: r.matmul.modes }] : [])), mode);
  await Promise.all(others);
  ctx.checkAlive();
  return ctx.launches.deferred(build);
}
