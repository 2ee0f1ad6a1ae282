import { USAGE } from '../../../src/gpu/usage';
// In-page kernel tests: each case runs one kernel family on the GPU and compares it with the CPU
// reference path (float64) under explicit tolerances.
import { activate, activationDerivative } from '../../../src/cpu/activations';
import { correctCount, lossSum, outputDelta } from '../../../src/cpu/losses';
import { matmulAB, matmulABT, matmulATB } from '../../../src/cpu/matmul';
import { optimizerStep } from '../../../src/cpu/optimizers';
import { resolveOptimizer } from '../../../src/config';
import { BufferManager, readBuffer } from '../../../src/gpu/buffers';
import { type Dispatch, Kernels, type MatmulStyle } from '../../../src/gpu/kernels';
import { BATCH_BYTES, BATCH_STRIDE } from '../../../src/gpu/pipelines';
import { type KernelCase, caseName, kernelCases } from './kernel-cases';
import { Rng, compare, f32, getDevice, seeded, withValidation } from './gpu-context';

/** Explicit tolerances per kernel family, against float64. */
export const TOLERANCES = {
  matmul: { atol: 1e-5, rtol: 1e-5 }, // rtol scaled by Σ_k |a_ik·b_kj| (the sum's own magnitude)
  elementwise: { atol: 1e-5, rtol: 1e-4 },
  optimizer: { atol: 1e-5, rtol: 1e-4 },
};

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** A per-batch uniform with one entry per step: rows, step t, lr and Adam's corrections. */
function batchUniform(device: GPUDevice, buffers: BufferManager, kernels: Kernels, entries: { rows: number; t?: number; lr?: number; c1?: number; c2?: number }[]) {
  const data = new ArrayBuffer(entries.length * BATCH_STRIDE);
  entries.forEach((e, i) => {
    const u = new Uint32Array(data, i * BATCH_STRIDE, 8);
    const f = new Float32Array(data, i * BATCH_STRIDE, 8);
    u[1] = e.rows;
    u[2] = e.t ?? 1;
    u[3] = i;
    f[4] = e.lr ?? 0;
    f[5] = e.c1 ?? 1;
    f[6] = e.c2 ?? 1;
  });
  const buffer = buffers.uniform('test batch uniform', data);
  const group = device.createBindGroup({ layout: kernels.cache.batchLayout, entries: [{ binding: 0, resource: { buffer, offset: 0, size: BATCH_BYTES } }] });
  return { group, steps: entries.length };
}

async function runDispatches(device: GPUDevice, kernels: Kernels, dispatches: Dispatch[], group: GPUBindGroup, steps = 1) {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let s = 0; s < steps; s++) kernels.encode(pass, dispatches, group, s * BATCH_STRIDE);
  pass.end();
  device.queue.submit([enc.finish()]);
}

async function read(device: GPUDevice, buffers: BufferManager, buf: GPUBuffer, count: number): Promise<Float32Array> {
  return new Float32Array(await readBuffer(device, buffers, buf, 0, count * 4));
}

/** Σ_k |a_ik·b_kj| for C = A·B given A [M,K], B [K,N] as plain row-major arrays. */
function absScale(a: Float64Array, b: Float64Array, M: number, K: number, N: number) {
  return matmulAB(a.map(Math.abs), b.map(Math.abs), M, K, N);
}
const transpose = (a: Float64Array, rows: number, cols: number) => {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
};

async function runCaseOn(device: GPUDevice, c: KernelCase, matmulStyle?: MatmulStyle): Promise<string[]> {
  const buffers = new BufferManager(device);
  const kernels = new Kernels(device, buffers, { matmulStyle });
  const rng = new Rng(1234, caseName(c));
  try {
    switch (c.kind) {
      case 'matmul': {
        const { M, N, K, form } = c;
        // logical A [M,K], B [K,N]; stored transposed where the form says so
        const A = seeded(rng, M * K);
        const B = seeded(rng, K * N);
        const expected = form === 'AB' ? matmulAB(A, B, M, K, N) : form === 'ATB' ? matmulATB(transpose(A, M, K), B, M, K, N) : matmulABT(A, transpose(B, K, N), M, K, N);
        const a = buffers.upload('A', form === 'ATB' ? transpose(A, M, K) : A);
        const b = buffers.upload('B', form === 'ABT' ? transpose(B, K, N) : B);
        const out = buffers.create('C', M * N * 4, STORAGE);
        const batchDim = form === 'ATB' ? 2 : 1;
        const d = kernels.matmul({ a, b, c: out, M, N, K, batchDim, transA: form === 'ATB', transB: form === 'ABT' });
        const { group } = batchUniform(device, buffers, kernels, [{ rows: batchDim === 2 ? K : M }]);
        await runDispatches(device, kernels, [d], group);
        return compare(`C (${form}, M=${M} N=${N} K=${K})`, expected, await read(device, buffers, out, M * N), TOLERANCES.matmul, absScale(A, B, M, K, N));
      }
      case 'forward': {
        const { M, N, K, activation, bias } = c;
        const A = seeded(rng, M * K);
        const W = seeded(rng, K * N, -0.5, 0.5);
        const bvec = seeded(rng, N);
        const z = matmulAB(A, W, M, K, N);
        if (bias) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) z[i * N + j] += bvec[j];
        const expected = activate(activation, z, M, N);
        const out = buffers.create('a', M * N * 4, STORAGE);
        const d = kernels.matmul({ a: buffers.upload('A', A), b: buffers.upload('W', W), c: out, M, N, K, batchDim: 1, epilogue: 1, activation, bias: bias ? buffers.upload('b', bvec) : null });
        const { group } = batchUniform(device, buffers, kernels, [{ rows: M }]);
        await runDispatches(device, kernels, [d], group);
        const scale = absScale(A, W, M, K, N).map((s, i) => s + (bias ? Math.abs(bvec[i % N]) : 0));
        return compare(`f(A·W${bias ? ' + b' : ''}) ${activation} M=${M} N=${N} K=${K}`, expected, await read(device, buffers, out, M * N), TOLERANCES.matmul, scale);
      }
      case 'hiddenDelta': {
        // δ_prev [M, N] = (δ [M, K] · W_storedᵀ) ⊙ f'(a_prev), W stored [N, K]
        const { M, N, K, activation } = c;
        const delta = seeded(rng, M * K);
        const W = seeded(rng, N * K);
        const aPrev = f32(activate(activation, seeded(rng, M * N), M, N));
        const back = matmulABT(delta, W, M, K, N);
        const fp = activationDerivative(activation, aPrev);
        const expected = back.map((v, i) => v * fp[i]);
        const out = buffers.create('delta prev', M * N * 4, STORAGE);
        const d = kernels.matmul({ a: buffers.upload('delta', delta), b: buffers.upload('W', W), c: out, M, N, K, batchDim: 1, transB: true, epilogue: 2, activation, aux: buffers.upload('a prev', aPrev) });
        const { group } = batchUniform(device, buffers, kernels, [{ rows: M }]);
        await runDispatches(device, kernels, [d], group);
        const scale = absScale(delta, transpose(W, N, K), M, K, N).map((s, i) => s * Math.abs(fp[i]));
        return compare(`(δ·Wᵀ)⊙${activation}'(a) M=${M} N=${N} K=${K}`, expected, await read(device, buffers, out, M * N), TOLERANCES.matmul, scale);
      }
      case 'softmax': {
        const { rows, cols } = c;
        const z = seeded(rng, rows * cols, -6, 6);
        const buf = buffers.upload('z', z);
        const { group } = batchUniform(device, buffers, kernels, [{ rows }]);
        await runDispatches(device, kernels, [kernels.softmax({ z: buf, cols, rows })], group);
        return compare(`softmax ${rows}×${cols}`, activate('softmax', z, rows, cols), await read(device, buffers, buf, rows * cols), TOLERANCES.elementwise);
      }
      case 'outputDelta': {
        const { rows, cols, loss, activation } = c;
        const a = f32(activate(activation, seeded(rng, rows * cols), rows, cols));
        let y: Float64Array;
        if (loss === 'categoricalCrossEntropy') {
          y = new Float64Array(rows * cols);
          for (let r = 0; r < rows; r++) y[r * cols + rng.int(cols)] = 1;
        } else y = seeded(rng, rows * cols, loss === 'binaryCrossEntropy' ? 0 : -2, loss === 'binaryCrossEntropy' ? 1 : 2);
        const expected = outputDelta(loss, activation, a, y, rows, cols);
        const delta = buffers.create('delta', rows * cols * 4, STORAGE);
        const rowStats = buffers.create('row stats', rows * 8, STORAGE);
        const stats = buffers.create('stats', 8, STORAGE);
        const flags = buffers.create('flags', 16, STORAGE);
        const { group } = batchUniform(device, buffers, kernels, [{ rows }]);
        const d = kernels.loss({ a: buffers.upload('a', a), y: buffers.upload('y', y), delta, rowStats, cols, rows, loss, activation, writeDelta: true });
        await runDispatches(device, kernels, [d, kernels.batchStats({ rowStats, stats, flags })], group);
        const failures = compare(`δ_L ${loss}/${activation}`, expected, await read(device, buffers, delta, rows * cols), TOLERANCES.elementwise);
        const rs = await read(device, buffers, rowStats, rows * 2);
        const expLoss = Array.from({ length: rows }, (_, r) => lossSum(loss, a.subarray(r * cols, (r + 1) * cols), y.subarray(r * cols, (r + 1) * cols), 1, cols));
        const expRight = Array.from({ length: rows }, (_, r) => correctCount(a.subarray(r * cols, (r + 1) * cols), y.subarray(r * cols, (r + 1) * cols), 1, cols));
        failures.push(...compare(`row loss ${loss}`, expLoss, rs.filter((_, i) => i % 2 === 0), TOLERANCES.elementwise));
        failures.push(...compare(`row correct`, expRight, rs.filter((_, i) => i % 2 === 1), { atol: 0, rtol: 0 }));
        const total = await read(device, buffers, stats, 2);
        failures.push(...compare('batch loss sum', [lossSum(loss, a, y, rows, cols)], [total[0]], TOLERANCES.elementwise));
        failures.push(...compare('batch correct', [correctCount(a, y, rows, cols)], [total[1]], { atol: 0, rtol: 0 }));
        failures.push(...compare('divergence flag (finite loss)', [0], new Uint32Array(await readBuffer(device, buffers, flags, 0, 4)), { atol: 0, rtol: 0 }));
        return failures;
      }
      case 'columnSums': {
        const { rows, cols } = c;
        const src = seeded(rng, rows * cols);
        const expected = new Float64Array(cols);
        const scale = new Float64Array(cols);
        for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) {
          expected[j] += src[r * cols + j];
          scale[j] += Math.abs(src[r * cols + j]);
        }
        const dst = buffers.create('sums', cols * 4, STORAGE);
        const { group } = batchUniform(device, buffers, kernels, [{ rows }]);
        await runDispatches(device, kernels, [kernels.columnSums({ src: buffers.upload('delta', src), dst, cols })], group);
        return compare(`Σ_rows ${rows}×${cols}`, expected, await read(device, buffers, dst, cols), TOLERANCES.matmul, scale);
      }
      case 'gather': {
        const { n, rows, cols, shardRows } = c;
        const src = seeded(rng, n * cols);
        const order = rng.permutation(n);
        const start = 17;
        const expected = new Float64Array(rows * cols);
        for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) expected[r * cols + j] = src[order[start + r] * cols + j];
        const dst = buffers.create('dst', rows * cols * 4, STORAGE);
        const data = new ArrayBuffer(BATCH_STRIDE);
        new Uint32Array(data).set([start, rows, 1, 0]);
        const ub = buffers.uniform('batch', data);
        const group = device.createBindGroup({ layout: kernels.cache.batchLayout, entries: [{ binding: 0, resource: { buffer: ub, offset: 0, size: BATCH_BYTES } }] });
        const srcs: GPUBuffer[] = [];
        for (let r0 = 0; r0 < n; r0 += shardRows) srcs.push(buffers.upload(`shard ${r0}`, src.subarray(r0 * cols, Math.min(n, r0 + shardRows) * cols)));
        await runDispatches(device, kernels, [kernels.gather({ order: buffers.upload('order', order), srcs, shardRows, dst, cols, rows })], group);
        return compare('gathered rows', expected, await read(device, buffers, dst, rows * cols), { atol: 0, rtol: 0 });
      }
      case 'divergenceFlag': {
        const { rows } = c;
        const rs = seeded(rng, rows * 2, 0, 1);
        rs[2 * 17] = Number.POSITIVE_INFINITY; // row 17's loss overflowed
        const stats = buffers.create('stats', 8, STORAGE);
        const flags = buffers.create('flags', 16, STORAGE);
        const { group } = batchUniform(device, buffers, kernels, [{ rows }]);
        await runDispatches(device, kernels, [kernels.batchStats({ rowStats: buffers.upload('row stats', rs), stats, flags })], group);
        const total = await read(device, buffers, stats, 2);
        const failures: string[] = [];
        if (Number.isFinite(total[0])) failures.push(`batch loss should be non-finite, got ${total[0]}`);
        failures.push(...compare('divergence flag', [1], new Uint32Array(await readBuffer(device, buffers, flags, 0, 4)), { atol: 0, rtol: 0 }));
        return failures;
      }
      case 'optimizer': {
        const { count, l2, steps } = c;
        const opt = resolveOptimizer(c.optimizer);
        const rows = 7;
        const lr = 0.05;
        const theta = seeded(rng, count);
        const grad = seeded(rng, count);
        const expected = theta.slice();
        const slots = [new Float64Array(count), new Float64Array(count)];
        const entries = [];
        for (let t = 1; t <= steps; t++) {
          const g = grad.map((v, i) => (v + l2 * expected[i]) / rows);
          optimizerStep(opt, expected, g, slots, lr, t);
          entries.push({ rows, t, lr, c1: opt.type === 'adam' ? 1 - opt.beta1 ** t : 1, c2: opt.type === 'adam' ? 1 - opt.beta2 ** t : 1 });
        }
        const th = buffers.upload('theta', theta);
        const s1 = opt.type === 'sgd' ? null : buffers.create('s1', count * 4, STORAGE);
        const s2 = opt.type === 'adam' ? buffers.create('s2', count * 4, STORAGE) : null;
        const prev = buffers.create('prev', 3 * count * 4, STORAGE);
        const flags = buffers.create('flags', 16, STORAGE);
        const d = kernels.optimizer({ theta: th, grad: buffers.upload('grad', grad), s1, s2, prev, flags, count, l2, opt });
        const { group } = batchUniform(device, buffers, kernels, entries);
        await runDispatches(device, kernels, [d], group, steps);
        const failures = compare(`θ after ${steps} ${opt.type} steps`, expected, await read(device, buffers, th, count), TOLERANCES.optimizer);
        // prev holds θ before the last step: one step from there gives θ again
        const before = await read(device, buffers, prev, count);
        const redo = Float64Array.from(before);
        const redoSlots = [new Float64Array(count), new Float64Array(count)];
        if (s1) redoSlots[0].set(await read(device, buffers, prev, 2 * count).then((f) => f.subarray(count)));
        if (s2) redoSlots[1].set(await read(device, buffers, prev, 3 * count).then((f) => f.subarray(2 * count)));
        optimizerStep(opt, redo, grad.map((v, i) => (v + l2 * redo[i]) / rows), redoSlots, lr, steps);
        failures.push(...compare('θ from the saved pre-step state, stepped once', expected, redo, TOLERANCES.optimizer));
        // with the divergence flag set, the optimizer leaves θ alone
        device.queue.writeBuffer(flags, 0, new Uint32Array([1]));
        await runDispatches(device, kernels, [d], group, 1);
        failures.push(...compare('θ unchanged while the divergence flag is set', expected, await read(device, buffers, th, count), TOLERANCES.optimizer));
        return failures;
      }
    }
  } finally {
    buffers.dispose();
  }
}

/** Runs the named case; returns its failures (empty when it passes). */
export async function runKernelCase(name: string): Promise<string[]> {
  const c = kernelCases.find((k) => caseName(k) === name);
  if (!c) return [`no kernel case named ${name}`];
  const device = await getDevice();
  if (c.kind !== 'matmul' && c.kind !== 'forward' && c.kind !== 'hiddenDelta') return withValidation(device, () => runCaseOn(device, c));
  // both matmul entry points, whichever this adapter would pick
  const failures: string[] = [];
  for (const style of ['tiled', 'blocked'] as const) {
    failures.push(...(await withValidation(device, () => runCaseOn(device, c, style))).map((f) => `[${style}] ${f}`));
  }
  return failures;
}
