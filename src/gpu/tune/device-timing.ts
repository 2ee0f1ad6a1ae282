import { MAP_MODE_READ, USAGE } from '../usage';
import { BatchUniforms } from '../kernels/batch-uniform';
import type { BufferManager } from '../buffers';
import {
  type DeviceTraits, type MatmulShape, type MatmulVariantId, MATMUL_VARIANT_IDS, applicableVariants, defaultVariant, matmulParams, pipelineConstants, planVariant,
} from '../kernels/matmul-variants';
import { packParams } from '../kernels/kernel-interface';
import type { TuneRequest, TunerDeps } from './autotune';
import { bindGroupEntries } from '../kernels/pipelines';
import type { PipelineCache } from '../kernels/pipelines';
import { batchRowsCode } from '../kernels/registry';
import type { LaunchRequest } from '../kernels/launch-request';
import { variantRequest } from '../kernels/launch-matmul';

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;
/** Aim for this much GPU time when timing one candidate (ms), within MIN/MAX launches. */
const TARGET_MS = 8;
const MIN_LAUNCHES = 3;
const MAX_LAUNCHES = 16;

/** Families in the order worth trying after the default, on software adapters and on GPUs. */
const PREFERENCE: Record<'software' | 'gpu', string[]> = {
  software: ['subgroups', 'blocked', 'vec4', 'tiled'],
  gpu: ['vec4', 'tiled', 'subgroups', 'blocked'],
};

/**
 * The candidates for `shape`: the default variant first, then the others that apply, by family
 * (what tends to win on this kind of adapter first) and from larger blocks to smaller ones.
 *
 * @example
 * candidateOrder({ M: 1024, N: 1024, K: 1024, form: 'AB' }, { subgroups: true, software: true })[0]; // 'subgroups-16x16'
 */
export function candidateOrder(shape: MatmulShape, traits: DeviceTraits): MatmulVariantId[] {
  const first = defaultVariant(shape, traits);
  const order = PREFERENCE[traits.software ? 'software' : 'gpu'];
  const family = (v: string) => order.findIndex((f) => v.startsWith(f));
  const rest = applicableVariants(shape, traits).filter((v) => v !== first);
  rest.sort((x, y) => family(x) - family(y) || MATMUL_VARIANT_IDS.indexOf(y) - MATMUL_VARIANT_IDS.indexOf(x));
  return [first, ...rest];
}

/**
 * {@link TunerDeps} on a real device: candidates compiled through the device's pipeline cache and
 * timed on scratch operands of the shape ({@link timeWithQueries} where the device has
 * `timestamp-query`, else {@link timeByWall}). `release()` frees the scratch buffers.
 *
 * @example
 * const deps = deviceTunerDeps(device, traits, cache, buffers);
 * try { await tuneRequests(tuningOf(device), requests, 'full', deps); } finally { deps.release(); }
 */
export function deviceTunerDeps(device: GPUDevice, traits: DeviceTraits, cache: PipelineCache, buffers: BufferManager, checkAlive: () => void = () => {}): TunerDeps & { release(): void } {
  const scratch = new Map<string, GPUBuffer>();
  // one scratch buffer per operand, grown to the largest shape timed
  const operand = (name: string, floats: number): GPUBuffer => {
    const have = scratch.get(name);
    if (have && have.size >= floats * 4) return have;
    if (have) buffers.destroy(have);
    const b = buffers.create(`tuning ${name}`, floats * 4, STORAGE);
    scratch.set(name, b);
    return b;
  };
  const uniforms = new BatchUniforms(device, buffers, cache, 1, 'tuning');
  uniforms.write([{ start: 0, rows: 1, step: 1, index: 0, lr: 0, c1: 1, c2: 1 }]);
  // with the launch's own operand modes, so that the winner is the pipeline training uses
  const constantsOf = (variant: MatmulVariantId, req: TuneRequest) => {
    const plan = planVariant(variant, req.shape);
    // a pipeline is named by its kernel file and entry point alone (the cache checks them)
    const pipeline: Pick<LaunchRequest, 'kernel' | 'entry'> = plan;
    return { plan, pipeline, constants: pipelineConstants(plan, req.modes) };
  };
  const timestamps = device.features.has('timestamp-query');
  return {
    now: () => performance.now(),
    checkAlive,
    candidates: (shape) => candidateOrder(shape, traits),
    isCompiled: (variant, req) => {
      const { pipeline, constants } = constantsOf(variant, req);
      return cache.has(pipeline.kernel, pipeline.entry, constants);
    },
    compile: async (variant, req) => {
      const { pipeline, constants } = constantsOf(variant, req);
      const t0 = performance.now();
      await cache.ref(pipeline.kernel, pipeline.entry, constants).ready;
      return performance.now() - t0;
    },
    time: async (variant, req) => {
      checkAlive();
      const { plan, constants } = constantsOf(variant, req);
      const { M, N, K } = req.shape;
      const params = matmulParams(req.shape, batchRowsCode('none'), req.modes);
      const uniform = buffers.uniform('tuning params', packParams(plan.kernel, params));
      try {
        const r = variantRequest(plan, {
          label: `tuning ${variant}`, constants, params, workgroups: plan.workgroups,
          buffers: { a: operand('a', M * K), b: operand('b', K * N), c: operand('c', M * N), bias: operand('bias', N), aux: operand('aux', M * N) },
        });
        const bindGroup = device.createBindGroup({
          label: r.label,
          layout: cache.layout(r.kernel, r.entry),
          entries: bindGroupEntries(r.kernel, r.entry, { params: uniform, ...r.buffers }, () => operand('unused', 4)),
        });
        const launch = launcher(cache.get(r.kernel, r.entry, r.constants), bindGroup, uniforms, r.workgroups);
        return timestamps ? await timeWithQueries(device, buffers, launch, checkAlive) : await timeByWall(device, launch, checkAlive);
      } finally {
        buffers.destroy(uniform);
      }
    },
    release: () => {
      for (const b of scratch.values()) buffers.destroy(b);
      uniforms.destroy();
    },
  };
}


/** Records one launch of the candidate into a pass. */
function launcher(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, uniforms: BatchUniforms, workgroups: [number, number]) {
  return (pass: GPUComputePassEncoder) => {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.setBindGroup(1, uniforms.bindGroup, [uniforms.offset(0)]);
    pass.dispatchWorkgroups(workgroups[0], workgroups[1]);
  };
}

/** Milliseconds per launch: `count` launches in one pass, submitted (if `checkAlive` allows) and awaited. */
async function wallOf(device: GPUDevice, launch: (pass: GPUComputePassEncoder) => void, count: number, checkAlive: () => void): Promise<number> {
  checkAlive();
  const t0 = performance.now();
  const enc = device.createCommandEncoder({ label: 'tuning' });
  const pass = enc.beginComputePass();
  for (let i = 0; i < count; i++) launch(pass);
  pass.end();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / count;
}

/** Wall time per launch: one launch to warm up and size the run, then enough launches for {@link TARGET_MS}. */
async function timeByWall(device: GPUDevice, launch: (pass: GPUComputePassEncoder) => void, checkAlive: () => void): Promise<number> {
  const one = await wallOf(device, launch, 1, checkAlive);
  const count = Math.max(MIN_LAUNCHES, Math.min(MAX_LAUNCHES, Math.round(TARGET_MS / Math.max(one, 1e-3))));
  return Math.min(one, await wallOf(device, launch, count, checkAlive));
}

/**
 * GPU time per launch from timestamps around each launch (its own pass): the least of them, since
 * what disturbs a measurement (other work on the machine) only ever adds time.
 */
async function timeWithQueries(device: GPUDevice, buffers: BufferManager, launch: (pass: GPUComputePassEncoder) => void, checkAlive: () => void): Promise<number> {
  const first = await wallOf(device, launch, 1, checkAlive);
  const count = Math.max(MIN_LAUNCHES, Math.min(MAX_LAUNCHES, Math.round(TARGET_MS / Math.max(first, 1e-3))));
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * count });
  const resolved = buffers.create('tuning timestamps', 16 * count, USAGE.QUERY_RESOLVE | USAGE.COPY_SRC);
  const staging = buffers.create('tuning timestamps staging', 16 * count, USAGE.MAP_READ | USAGE.COPY_DST);
  try {
    const enc = device.createCommandEncoder({ label: 'tuning (timestamps)' });
    for (let i = 0; i < count; i++) {
      const pass = enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
      launch(pass);
      pass.end();
    }
    enc.resolveQuerySet(querySet, 0, 2 * count, resolved, 0);
    enc.copyBufferToBuffer(resolved, 0, staging, 0, 16 * count);
    checkAlive();
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(MAP_MODE_READ, 0, 16 * count);
    const t = new BigInt64Array(staging.getMappedRange(0, 16 * count).slice(0));
    staging.unmap();
    const ms = Array.from({ length: count }, (_, i) => Number(t[2 * i + 1] - t[2 * i]) / 1e6);
    const m = Math.min(...ms);
    // timestamps an implementation quantizes to zero say nothing: fall back to wall time
    return m > 0 ? m : first;
  } finally {
    querySet.destroy();
    buffers.destroy(resolved);
    buffers.destroy(staging);
  }
}
