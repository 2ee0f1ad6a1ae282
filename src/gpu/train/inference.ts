import { MAP_MODE_READ, USAGE } from '../usage';
import { outputSize } from '../../core/config';
import type { Dense } from '../../core/data';
import { BatchUniforms, passBatches } from '../kernels/batch-uniform';
import type { GpuContext } from '../context';
import { checkDataFits, uploadMatrix } from './dataset';
import type { Dispatch } from '../kernels/launches';
import { bindingLimit, checkFits } from '../limits';
import type { DeviceParameters } from './parameters';
import { type Workspace, createWorkspace, forwardLaunches, releaseWorkspace } from './step';

/** Rows per forward pass for predict/evaluate. */
const INFERENCE_ROWS = 2048;

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** What {@link runInference} returns: the outputs (predict) or the summed stats (evaluate). */
export interface InferenceResult {
  out: Float64Array | null;
  lossSum: number;
  correct: number;
}

/**
 * Forward passes over `x` in chunks, in one submission and one readback: with `y`, the summed
 * loss and correct count; without, the outputs. Everything it allocates is freed before it returns.
 *
 * @example
 * const { out } = await runInference(ctx, state, x, null);
 */
export async function runInference(ctx: GpuContext, state: DeviceParameters, x: Dense, y: Dense | null): Promise<InferenceResult> {
  const { net, device, buffers } = ctx;
  const n = x.rows;
  const k = outputSize(net);
  // rows per pass: as many as fit every per-row buffer within one binding
  const widest = Math.max(net.inputSize, ...net.layers.map((l) => l.units));
  const rows = Math.max(1, Math.min(n, INFERENCE_ROWS, Math.floor(bindingLimit(device, ctx.maxBindingBytes) / (widest * 4))));
  const chunks = Math.ceil(n / rows);
  checkDataFits(ctx, x, y ?? { data: new Float32Array(0), rows: n, cols: k }, rows, 'inference');
  checkFits(device, 'predictions', [y ? 0 : n * k], ctx.maxBindingBytes);
  const owned: GPUBuffer[] = [];
  const own = (b: GPUBuffer) => (owned.push(b), b);
  let ws: Workspace | null = null;
  let uniforms: BatchUniforms | null = null;
  let launches: Dispatch[] = [];
  try {
    ws = createWorkspace(ctx, rows, 'inference');
    const X = uploadMatrix(ctx, 'inference inputs', x);
    owned.push(...X.buffers);
    const Y = y ? uploadMatrix(ctx, 'inference targets', y) : null;
    if (Y) owned.push(...Y.buffers);
    const order = own(buffers.upload('identity order', Uint32Array.from({ length: n }, (_, i) => i)));
    uniforms = new BatchUniforms(device, buffers, ctx.launches.cache, chunks, 'inference');
    uniforms.write(passBatches(n, rows));
    const stats = Y ? own(buffers.create('inference stats', chunks * 8, STORAGE)) : null;
    const out = y ? null : own(buffers.create('predictions', n * k * 4, STORAGE));
    launches = forwardLaunches(ctx, state, ws, { X, Y, order, stats, train: false });
    const enc = device.createCommandEncoder({ label: 'inference' });
    for (let c = 0; c < chunks; c++) {
      const pass = enc.beginComputePass();
      ctx.launches.encode(pass, launches, uniforms, c);
      pass.end();
      if (out) enc.copyBufferToBuffer(ws.acts[net.layers.length - 1], 0, out, c * rows * k * 4, Math.min(rows, n - c * rows) * k * 4);
    }
    const bytes = out ? n * k * 4 : chunks * 8;
    const staging = own(buffers.create('inference staging', bytes, USAGE.MAP_READ | USAGE.COPY_DST));
    enc.copyBufferToBuffer(out ?? stats!, 0, staging, 0, bytes);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(MAP_MODE_READ, 0, bytes);
    const f = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    ctx.checkAlive();
    if (out) return { out: Float64Array.from(f.subarray(0, n * k)), lossSum: 0, correct: 0 };
    let lossSum = 0;
    let correct = 0;
    for (let c = 0; c < chunks; c++) {
      lossSum += f[2 * c];
      correct += f[2 * c + 1];
    }
    return { out: null, lossSum, correct };
  } finally {
    ctx.launches.release(launches);
    for (const b of owned) buffers.destroy(b);
    uniforms?.destroy();
    if (ws) releaseWorkspace(ctx, ws);
  }
}
