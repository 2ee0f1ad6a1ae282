// In-page kernel tests: each case runs one kernel entry point on the GPU through Launches (the
// same builders training uses) and compares it with the CPU reference path (float64) under
// explicit tolerances. Failures name the kernel, the case and its shape.
import { activate, activationDerivative } from '../../../src/cpu/activations';
import { layerNormBackward, layerNormForward } from '../../../src/cpu/layer-norm';
import { batchNormBackward, batchNormForward, batchNormInfer, updateRunningStats } from '../../../src/cpu/batch-norm';
import { correctCount, lossSum, outputDelta } from '../../../src/cpu/losses';
import { matmulAB, matmulABT, matmulATB } from '../../../src/cpu/matmul';
import { optimizerStep } from '../../../src/cpu/optimizers';
import { resolveOptimizer } from '../../../src/core/config';
import { type Dense, byteDense, toDense } from '../../../src/core/data';
import type { GpuContext } from '../../../src/gpu/context';
import { uploadMatrix } from '../../../src/gpu/train/dataset';
import { type BatchValues, BatchUniforms } from '../../../src/gpu/kernels/batch-uniform';
import { BufferManager, readBuffer } from '../../../src/gpu/buffers';
import { type MatmulVariantId, defaultVariant, whyNot } from '../../../src/gpu/kernels/matmul-variants';
import { type Dispatch, Launches } from '../../../src/gpu/kernels/launches';
import { USAGE } from '../../../src/gpu/usage';
import { type KernelBlock, type KernelCase, MATMUL_BLOCK_VARIANT, caseName, kernelCases } from './kernel-cases';
import { Rng, compare, f32, getDevice, seeded, withValidation } from './gpu-context';

/** Explicit tolerances per kernel family, against float64. */
export const TOLERANCES = {
  matmul: { atol: 1e-5, rtol: 1e-5 }, // rtol scaled by Σ_k |a_ik·b_kj| (the sum's own magnitude)
  elementwise: { atol: 1e-5, rtol: 1e-4 },
  optimizer: { atol: 1e-5, rtol: 1e-4 },
};
const EXACT = { atol: 0, rtol: 0 };

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;
/** Written into outputs a kernel must leave alone. */
const SENTINEL = 7;

/** Per-batch uniforms with one entry per step: rows, step, lr, Adam's corrections (defaults: step = slot + 1, index = slot). */
function batchUniforms(device: GPUDevice, buffers: BufferManager, launches: Launches, entries: Partial<BatchValues>[]): BatchUniforms {
  const u = new BatchUniforms(device, buffers, launches.cache, entries.length, 'kernel test');
  u.write(entries.map((e, i) => ({ start: 0, rows: 1, step: i + 1, index: i, lr: 0, c1: 1, c2: 1, ...e })));
  return u;
}

/** Encodes `dispatches` for batch slots `first`…`first + steps − 1` in one pass and submits. */
function runDispatches(device: GPUDevice, launches: Launches, dispatches: Dispatch[], batches: BatchUniforms, steps = 1, first = 0): void {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let s = first; s < first + steps; s++) launches.encode(pass, dispatches, batches, s);
  pass.end();
  device.queue.submit([enc.finish()]);
}

async function read(device: GPUDevice, buffers: BufferManager, buf: GPUBuffer, count: number): Promise<Float32Array> {
  return new Float32Array(await readBuffer(device, buffers, buf, 0, count * 4));
}

async function readU32(device: GPUDevice, buffers: BufferManager, buf: GPUBuffer, count: number): Promise<Uint32Array> {
  return new Uint32Array(await readBuffer(device, buffers, buf, 0, count * 4));
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
/** Columns 0..cols−1 of a row-major [rows, stride] matrix. */
const leftColumns = (a: Float64Array, rows: number, stride: number, cols: number) => {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = a[i * stride + j];
  return out;
};
const filled = (n: number, v: number) => new Float64Array(n).fill(v);

/**
 * Checks that a matmul launch ran the variant its block tests, or, where that variant cannot run
 * the shape on this device (vec4 with N not a multiple of 4, subgroups without the feature),
 * the default variant instead.
 */
function entryCheck(d: Dispatch, launches: Launches, variant: MatmulVariantId | undefined): string[] {
  if (!variant || !d.matmul) return d.matmul ? [] : ['the launch is not a matmul'];
  const shape = d.matmul.shape;
  const want = whyNot(variant, shape, launches.traits) === null ? variant : defaultVariant(shape, launches.traits);
  return d.matmul.variant === want ? [] : [`launch ran variant ${d.matmul.variant} (${d.kernel}), expected ${want}`];
}

async function runCaseOn(device: GPUDevice, c: KernelCase, variant: MatmulVariantId | undefined): Promise<string[]> {
  const buffers = new BufferManager(device);
  const launches = new Launches(device, buffers, { matmulVariant: variant });
  const rng = new Rng(1234, caseName(c));
  try {
    switch (c.kind) {
      case 'matmul': {
        const { M, N, K, form } = c;
        // logical A [M,K], B [K,N]; stored transposed where the form says so
        const A = seeded(rng, M * K);
        const B = seeded(rng, K * N);
        const a = buffers.upload('A', form === 'ATB' ? transpose(A, M, K) : A);
        const b = buffers.upload('B', form === 'ABT' ? transpose(B, K, N) : B);
        const batchRows = form === 'ATB' ? 'k' : 'm';
        const rows = c.rows ?? (batchRows === 'k' ? K : M);
        // the batch's share of the product: its first `rows` rows of A (AB, ABᵀ) or first `rows` k (AᵀB)
        const m = batchRows === 'm' ? rows : M;
        const k = batchRows === 'k' ? rows : K;
        const Ab = leftColumns(A, m, K, k);
        const Bb = B.subarray(0, k * N);
        const product = form === 'AB' ? matmulAB(Ab, Bb, m, k, N) : form === 'ATB' ? matmulATB(transpose(Ab, m, k), Bb, m, k, N) : matmulABT(Ab, transpose(Bb, k, N), m, k, N);
        // rows past the batch are not written
        const expected = filled(M * N, SENTINEL);
        expected.set(product);
        const scale = new Float64Array(M * N);
        scale.set(absScale(Ab, Bb, m, k, N));
        const out = buffers.upload('C', filled(M * N, SENTINEL));
        const d = launches.matmul({ a, b, c: out, M, N, K, batchRows, transA: form === 'ATB', transB: form === 'ABT' });
        const batches = batchUniforms(device, buffers, launches, [{ rows }]);
        runDispatches(device, launches, [d], batches);
        const shape = `${form}, M=${M} N=${N} K=${K}${c.rows === undefined ? '' : `, batch rows=${rows} (batchRows '${batchRows}')`}`;
        return [...entryCheck(d, launches, variant), ...compare(`C (${shape})`, expected, await read(device, buffers, out, M * N), TOLERANCES.matmul, scale)];
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
        const d = launches.matmul({
          a: buffers.upload('A', A), b: buffers.upload('W', W), c: out, M, N, K,
          batchRows: 'm', epilogue: 'biasActivation', activation, bias: bias ? buffers.upload('b', bvec) : null,
        });
        const batches = batchUniforms(device, buffers, launches, [{ rows: M }]);
        runDispatches(device, launches, [d], batches);
        const scale = absScale(A, W, M, K, N).map((s, i) => s + (bias ? Math.abs(bvec[i % N]) : 0));
        return [
          ...entryCheck(d, launches, variant),
          ...compare(`f(A·W${bias ? ' + b' : ''}) ${activation} M=${M} N=${N} K=${K}`, expected, await read(device, buffers, out, M * N), TOLERANCES.matmul, scale),
        ];
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
        const d = launches.matmul({
          a: buffers.upload('delta', delta), b: buffers.upload('W', W), c: out, M, N, K,
          batchRows: 'm', transB: true, epilogue: 'activationDerivative', activation, aux: buffers.upload('a prev', aPrev),
        });
        const batches = batchUniforms(device, buffers, launches, [{ rows: M }]);
        runDispatches(device, launches, [d], batches);
        const scale = absScale(delta, transpose(W, N, K), M, K, N).map((s, i) => s * Math.abs(fp[i]));
        return [
          ...entryCheck(d, launches, variant),
          ...compare(`(δ·Wᵀ)⊙${activation}'(a) M=${M} N=${N} K=${K}`, expected, await read(device, buffers, out, M * N), TOLERANCES.matmul, scale),
        ];
      }
      case 'softmax': {
        const { rows, cols } = c;
        const spread = c.spread ?? 2;
        const z = seeded(rng, rows * cols, -spread, spread);
        const buf = buffers.upload('z', z);
        const batches = batchUniforms(device, buffers, launches, [{ rows }]);
        runDispatches(device, launches, [launches.softmax({ z: buf, cols, rows })], batches);
        return compare(`softmax ${rows}×${cols}`, activate('softmax', z, rows, cols), await read(device, buffers, buf, rows * cols), TOLERANCES.elementwise);
      }
      case 'outputDelta': {
        const { rows, cols, loss, activation } = c;
        const writeDelta = c.writeDelta ?? true;
        const shape = `${rows}×${cols}`;
        const a = f32(activate(activation, seeded(rng, rows * cols), rows, cols));
        let y: Float64Array;
        if (loss === 'categoricalCrossEntropy') {
          y = new Float64Array(rows * cols);
          for (let r = 0; r < rows; r++) y[r * cols + rng.int(cols)] = 1;
        } else y = seeded(rng, rows * cols, loss === 'binaryCrossEntropy' ? 0 : -2, loss === 'binaryCrossEntropy' ? 1 : 2);
        const expected = writeDelta ? outputDelta(loss, activation, a, y, rows, cols) : filled(rows * cols, SENTINEL);
        const delta = buffers.upload('delta', filled(rows * cols, SENTINEL));
        const rowStats = buffers.create('row stats', rows * 8, STORAGE);
        const stats = buffers.create('stats', 8, STORAGE);
        const flags = buffers.create('flags', 16, STORAGE);
        const batches = batchUniforms(device, buffers, launches, [{ rows }]);
        const d = launches.loss({ a: buffers.upload('a', a), y: buffers.upload('y', y), delta, rowStats, cols, rows, loss, activation, writeDelta });
        runDispatches(device, launches, [d, launches.batchStats({ rowStats, stats, flags, rows })], batches);
        const failures = compare(`δ_L ${loss}/${activation} ${shape}${writeDelta ? '' : ' (WRITE_DELTA off: untouched)'}`, expected, await read(device, buffers, delta, rows * cols), TOLERANCES.elementwise);
        const rs = await read(device, buffers, rowStats, rows * 2);
        const expLoss = Array.from({ length: rows }, (_, r) => lossSum(loss, a.subarray(r * cols, (r + 1) * cols), y.subarray(r * cols, (r + 1) * cols), 1, cols));
        const expRight = Array.from({ length: rows }, (_, r) => correctCount(a.subarray(r * cols, (r + 1) * cols), y.subarray(r * cols, (r + 1) * cols), 1, cols));
        failures.push(...compare(`row loss ${loss} ${shape}`, expLoss, rs.filter((_, i) => i % 2 === 0), TOLERANCES.elementwise));
        failures.push(...compare(`row correct ${shape}`, expRight, rs.filter((_, i) => i % 2 === 1), EXACT));
        const total = await read(device, buffers, stats, 2);
        failures.push(...compare(`batch loss sum ${shape}`, [lossSum(loss, a, y, rows, cols)], [total[0]], TOLERANCES.elementwise));
        failures.push(...compare(`batch correct ${shape}`, [correctCount(a, y, rows, cols)], [total[1]], EXACT));
        failures.push(...compare(`divergence flag (finite loss) ${shape}`, [0], await readU32(device, buffers, flags, 1), EXACT));
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
        const batches = batchUniforms(device, buffers, launches, [{ rows }]);
        runDispatches(device, launches, [launches.columnSums({ src: buffers.upload('delta', src), dst, cols })], batches);
        return compare(`Σ_rows ${rows}×${cols}`, expected, await read(device, buffers, dst, cols), TOLERANCES.matmul, scale);
      }
      case 'gather': {
        const { n, rows, cols, shardRows, element } = c;
        const scale = 1 / 255;
        const offset = -0.5;
        const bytes = Uint8Array.from({ length: n * cols }, () => rng.int(256));
        const x: Dense =
          element === 'u8' ? byteDense({ data: bytes, scale, offset }, n, cols)
          : element === 'f16' ? toDense({ data: seeded(rng, n * cols), shape: [n, cols], storage: 'float16' }, 'x')
          : { data: seeded(rng, n * cols), rows: n, cols };
        const order = rng.permutation(n);
        const start = 17;
        const expected = new Float64Array(rows * cols);
        for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) expected[r * cols + j] = x.data[order[start + r] * cols + j];
        const dst = buffers.create('dst', rows * cols * 4, STORAGE);
        const batches = batchUniforms(device, buffers, launches, [{ start, rows, step: 1, index: 0 }]);
        // a binding limit of exactly `shardRows` rows: the library's own layout, packing and upload
        const stride = Math.ceil(cols / { f32: 1, f16: 2, u8: 4 }[element]);
        const ctx = { device, buffers, maxBindingBytes: shardRows * stride * 4 } as unknown as GpuContext;
        const src = uploadMatrix(ctx, 'gather source', x);
        const shards = `${src.buffers.length} shard(s) of ${src.shardRows} rows`;
        if (src.shardRows !== shardRows) return [`${element} ${n}×${cols}: ${shards}, expected shards of ${shardRows}`];
        runDispatches(device, launches, launches.gather({ order: buffers.upload('order', order), src, dst, cols, rows }), batches);
        const tolerance = element === 'u8' ? { atol: 1e-6, rtol: 1e-6 } : EXACT;
        return compare(`gathered rows ${rows} of ${n} × ${cols} ${element}, ${shards}`, expected, await read(device, buffers, dst, rows * cols), tolerance);
      }
      case 'batchStats': {
        // row stats of the largest batch; each batch sums its first `rows` pairs into stats[index]
        const { rows } = c;
        const rs = new Float64Array(rows * 2);
        const loss = seeded(rng, rows);
        for (let r = 0; r < rows; r++) {
          rs[2 * r] = loss[r];
          rs[2 * r + 1] = rng.int(2);
        }
        const n = c.batches.length;
        // stats in reverse slot order, so a kernel that used the slot instead of batch.index fails; one spare pair past them
        const index = (slot: number) => n - 1 - slot;
        const stats = buffers.upload('stats', filled(2 * (n + 1), SENTINEL));
        const flags = buffers.create('flags', 16, STORAGE);
        const batches = batchUniforms(device, buffers, launches, c.batches.map((b, slot) => ({ rows: b, index: index(slot) })));
        const d = launches.batchStats({ rowStats: buffers.upload('row stats', rs), stats, flags, rows });
        runDispatches(device, launches, [d], batches, n);
        const got = await read(device, buffers, stats, 2 * (n + 1));
        const failures: string[] = [];
        c.batches.forEach((b, slot) => {
          let sum = 0;
          let abs = 0;
          let right = 0;
          for (let r = 0; r < b; r++) {
            sum += rs[2 * r];
            abs += Math.abs(rs[2 * r]);
            right += rs[2 * r + 1];
          }
          const i = index(slot);
          const what = `batch ${slot} (${b} of ${rows} rows) → stats[${i}]`;
          failures.push(...compare(`loss sum, ${what}`, [sum], [got[2 * i]], TOLERANCES.elementwise, [abs]));
          failures.push(...compare(`correct count, ${what}`, [right], [got[2 * i + 1]], EXACT));
        });
        failures.push(...compare(`stats[${n}] (no batch has that index, ${rows} rows)`, [SENTINEL, SENTINEL], got.subarray(2 * n), EXACT));
        failures.push(...compare(`divergence flags (finite losses, ${rows} rows)`, [0, 0, 0, 0], await readU32(device, buffers, flags, 4), EXACT));
        return failures;
      }
      case 'divergence': {
        // batches of 10 (finite), `rows` (row 17's loss is `bad`) and 10 (finite again), submitted one at a time
        const { rows, bad } = c;
        const rs = seeded(rng, rows * 2, 0, 1);
        for (let r = 0; r < rows; r++) rs[2 * r + 1] = rng.int(2);
        const badRow = 17;
        rs[2 * badRow] = Number(bad);
        const sizes = [10, rows, 10];
        const stats = buffers.create('stats', 8 * sizes.length, STORAGE);
        const flags = buffers.create('flags', 16, STORAGE);
        const batches = batchUniforms(device, buffers, launches, sizes.map((b) => ({ rows: b })));
        const d = launches.batchStats({ rowStats: buffers.upload('row stats', rs), stats, flags, rows });
        const failures: string[] = [];
        for (let slot = 0; slot < sizes.length; slot++) {
          runDispatches(device, launches, [d], batches, 1, slot);
          const b = sizes[slot];
          const hasBad = b > badRow;
          const what = `after batch ${slot} (${b} of ${rows} rows${hasBad ? `, row ${badRow} loss ${bad}` : ''})`;
          const got = await read(device, buffers, stats, 2 * sizes.length);
          let sum = 0;
          let right = 0;
          for (let r = 0; r < b; r++) {
            sum += rs[2 * r];
            right += rs[2 * r + 1];
          }
          const loss = got[2 * slot];
          if (hasBad) {
            if (Number.isFinite(loss)) failures.push(`loss sum ${what}: should be non-finite, got ${loss}`);
          } else failures.push(...compare(`loss sum ${what}`, [sum], [loss], TOLERANCES.elementwise));
          failures.push(...compare(`correct count ${what}`, [right], [got[2 * slot + 1]], EXACT));
          // the latch: set by the bad batch, kept by every batch after it
          failures.push(...compare(`divergence flags ${what}`, [slot >= 1 ? 1 : 0, 0, 0, 0], await readU32(device, buffers, flags, 4), EXACT));
        }
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
        const entries: Partial<BatchValues>[] = [];
        for (let t = 1; t <= steps; t++) {
          const g = grad.map((v, i) => (v + l2 * expected[i]) / rows);
          optimizerStep(opt, expected, g, slots, lr, t);
          entries.push({ rows, step: t, lr, c1: opt.type === 'adam' ? 1 - opt.beta1 ** t : 1, c2: opt.type === 'adam' ? 1 - opt.beta2 ** t : 1 });
        }
        const what = `${opt.type}, ${count} parameters`;
        const th = buffers.upload('theta', theta);
        const s1 = opt.type === 'sgd' ? null : buffers.create('s1', count * 4, STORAGE);
        const s2 = opt.type === 'adam' ? buffers.create('s2', count * 4, STORAGE) : null;
        const prev = buffers.create('prev', 3 * count * 4, STORAGE);
        const flags = buffers.create('flags', 16, STORAGE);
        const d = launches.optimizer({ theta: th, grad: buffers.upload('grad', grad), s1, s2, prev, flags, count, l2, opt });
        const batches = batchUniforms(device, buffers, launches, entries);
        runDispatches(device, launches, [d], batches, steps);
        const failures = compare(`θ after ${steps} steps (${what})`, expected, await read(device, buffers, th, count), TOLERANCES.optimizer);
        // prev holds θ before the last step: one step from there gives θ again
        const before = await read(device, buffers, prev, count);
        const redo = Float64Array.from(before);
        const redoSlots = [new Float64Array(count), new Float64Array(count)];
        if (s1) redoSlots[0].set(await read(device, buffers, prev, 2 * count).then((f) => f.subarray(count)));
        if (s2) redoSlots[1].set(await read(device, buffers, prev, 3 * count).then((f) => f.subarray(2 * count)));
        optimizerStep(opt, redo, grad.map((v, i) => (v + l2 * redo[i]) / rows), redoSlots, lr, steps);
        failures.push(...compare(`θ from the saved pre-step state, stepped once (${what})`, expected, redo, TOLERANCES.optimizer));
        // with the divergence flag set, the optimizer leaves θ alone
        device.queue.writeBuffer(flags, 0, new Uint32Array([1]));
        runDispatches(device, launches, [d], batches, 1);
        failures.push(...compare(`θ unchanged while the divergence flag is set (${what})`, expected, await read(device, buffers, th, count), TOLERANCES.optimizer));
        return failures;
      }
      case 'layerNorm': {
        const { rows, cols, activation } = c;
        const eps = 1e-5;
        const shape = `${rows}×${cols} (${rows + 1} rows allocated)`;
        // γ, β and z (or g) seeded in [−2, 2]; the row past the batch holds the sentinel and must keep it
        const gammaBeta = f32(seeded(rng, 2 * cols));
        const z = f32(seeded(rng, rows * cols));
        const padded = (a: Float64Array) => Float64Array.from([...a, ...filled(cols, SENTINEL)]);
        const gb = buffers.upload('γ β', gammaBeta);
        const invStd = buffers.upload('1/σ', filled(rows + 1, SENTINEL));
        const batches = batchUniforms(device, buffers, launches, [{ rows }]);
        const ref = layerNormForward(z, gammaBeta, rows, cols, eps);
        const common = { invStd, gammaBeta: gb, cols, rows: rows + 1, layer: 0, eps };
        if (c.direction === 'forward') {
          const xhat = buffers.upload('z → x̂', padded(z));
          const dst = buffers.upload('a', filled((rows + 1) * cols, SENTINEL));
          const pre = c.keep ? buffers.upload('y', filled((rows + 1) * cols, SENTINEL)) : null;
          runDispatches(device, launches, [launches.norm({ op: 'forward', xhat, dst, pre, activation, ...common })], batches);
          const failures = [
            ...compare(`x̂ ${shape}`, padded(ref.cache.normalized), await read(device, buffers, xhat, (rows + 1) * cols), TOLERANCES.elementwise),
            ...compare(`1/σ ${shape}`, [...ref.cache.invStd, SENTINEL], await read(device, buffers, invStd, rows + 1), TOLERANCES.elementwise),
            ...compare(`${activation}(γ ⊙ x̂ + β) ${shape}`, padded(activate(activation, ref.y, rows, cols)), await read(device, buffers, dst, (rows + 1) * cols), TOLERANCES.elementwise),
          ];
          if (pre) failures.push(...compare(`y = γ ⊙ x̂ + β ${shape}`, padded(ref.y), await read(device, buffers, pre, (rows + 1) * cols), TOLERANCES.elementwise));
          return failures;
        }
        // the backward from the forward's x̂ and 1/σ as float32 holds them, and g = ∂loss/∂y
        const xhat32 = f32(ref.cache.normalized);
        const inv32 = f32(ref.cache.invStd);
        const g = f32(seeded(rng, rows * cols));
        const grads = new Float64Array(2 * cols);
        const dz = layerNormBackward(g, gammaBeta, { normalized: xhat32, invStd: inv32 }, rows, cols, grads);
        device.queue.writeBuffer(invStd, 0, new Float32Array(inv32));
        const xhat = buffers.upload('x̂', padded(xhat32));
        const delta = buffers.upload('g → ∂z', padded(g));
        const gradsBuf = buffers.upload('∂γ ∂β', filled(2 * cols, SENTINEL));
        runDispatches(device, launches, [launches.norm({ op: 'paramGrads', xhat, delta, grads: gradsBuf, ...common }), launches.norm({ op: 'backward', xhat, delta, ...common })], batches);
        const scales = normBackwardScales(g, gammaBeta, xhat32, inv32, rows, cols, 'units');
        return await compareNormBackward(device, buffers, { grads, gradsBuf, dz: padded(dz), delta, scales, padded, rows, cols, shape });
      }
      case 'batchNorm': {
        const { rows, cols, activation } = c;
        const [eps, momentum] = [1e-3, 0.3];
        const shape = `${rows}×${cols} (${rows + 1} rows allocated)`;
        // γ, β, z (or g) and the running mean seeded in [−2, 2], the running variance in [0.1, 2];
        // the row past the batch holds the sentinel and must keep it
        const gammaBeta = f32(seeded(rng, 2 * cols));
        const z = f32(seeded(rng, rows * cols));
        const running = f32(Float64Array.from([...seeded(rng, cols), ...seeded(rng, cols, 0.1, 2)]));
        const padded = (a: ArrayLike<number>) => Float64Array.from([...Array.from(a), ...filled(cols, SENTINEL)]);
        const gb = buffers.upload('γ β', gammaBeta);
        const batches = batchUniforms(device, buffers, launches, [{ rows }]);
        const common = { cols, layer: 0, eps, momentum };
        const dst = buffers.upload('a', filled((rows + 1) * cols, SENTINEL));
        if (c.direction === 'inference') {
          const xhat = buffers.upload('z → x̂', padded(z));
          const stats = buffers.upload('running mean, var', running);
          runDispatches(device, launches, [launches.batchNorm({ op: 'infer', xhat, stats, gammaBeta: gb, dst, activation, ...common })], batches);
          const y = batchNormInfer(z, gammaBeta, running, rows, cols, eps).y;
          const xhatRef = z.map((v, i) => (v - running[i % cols]) / Math.sqrt(running[cols + (i % cols)] + eps));
          return [
            ...compare(`x̂ from the running estimates ${shape}`, padded(xhatRef), await read(device, buffers, xhat, (rows + 1) * cols), TOLERANCES.elementwise),
            ...compare(`${activation}(γ ⊙ x̂ + β) ${shape}`, padded(activate(activation, y, rows, cols)), await read(device, buffers, dst, (rows + 1) * cols), TOLERANCES.elementwise),
          ];
        }
        const ref = batchNormForward(z, gammaBeta, rows, cols, eps);
        const invStd = buffers.upload('1/σ', filled(cols + 1, SENTINEL));
        if (c.direction === 'forward') {
          const xhat = buffers.upload('z → x̂', padded(z));
          const pre = c.keep ? buffers.upload('y', filled((rows + 1) * cols, SENTINEL)) : null;
          const moments = buffers.upload('moments', filled(2 * cols, SENTINEL));
          const stats = buffers.upload('running mean, var', running);
          const prev = buffers.upload('running before', filled(2 * cols, SENTINEL));
          const flags = buffers.create('flags', 16, STORAGE);
          const update = launches.batchNorm({ op: 'runningUpdate', moments, stats, prev, flags, ...common });
          runDispatches(device, launches, [launches.batchNorm({ op: 'forward', xhat, invStd, moments, gammaBeta: gb, dst, pre, activation, ...common }), update], batches);
          const expectedStats = Float64Array.from(running);
          updateRunningStats(expectedStats, ref.moments, rows, momentum);
          const failures = [
            ...compare(`x̂ ${shape}`, padded(ref.cache.normalized), await read(device, buffers, xhat, (rows + 1) * cols), TOLERANCES.elementwise),
            ...compare(`1/σ per unit ${shape}`, [...ref.cache.invStd, SENTINEL], await read(device, buffers, invStd, cols + 1), TOLERANCES.elementwise),
            ...compare(`[μ, σ²] ${shape}`, [...ref.moments.mean, ...ref.moments.variance], await read(device, buffers, moments, 2 * cols), TOLERANCES.elementwise),
            ...compare(`${activation}(γ ⊙ x̂ + β) ${shape}`, padded(activate(activation, ref.y, rows, cols)), await read(device, buffers, dst, (rows + 1) * cols), TOLERANCES.elementwise),
            ...compare(`running [mean, var] after the update ${shape}`, expectedStats, await read(device, buffers, stats, 2 * cols), TOLERANCES.elementwise),
            ...compare(`running [mean, var] kept from before the update ${shape}`, running, await read(device, buffers, prev, 2 * cols), EXACT),
          ];
          if (pre) failures.push(...compare(`y = γ ⊙ x̂ + β ${shape}`, padded(ref.y), await read(device, buffers, pre, (rows + 1) * cols), TOLERANCES.elementwise));
          // with the divergence flag set, the running update leaves the estimates alone
          device.queue.writeBuffer(flags, 0, new Uint32Array([1]));
          runDispatches(device, launches, [update], batches);
          failures.push(...compare(`running [mean, var] unchanged while the divergence flag is set ${shape}`, expectedStats, await read(device, buffers, stats, 2 * cols), TOLERANCES.elementwise));
          return failures;
        }
        // the backward from the forward's x̂ and 1/σ as float32 holds them, and g = ∂loss/∂y
        const xhat32 = f32(ref.cache.normalized);
        const inv32 = f32(ref.cache.invStd);
        const g = f32(seeded(rng, rows * cols));
        const grads = new Float64Array(2 * cols);
        const dz = batchNormBackward(g, gammaBeta, { normalized: xhat32, invStd: inv32 }, rows, cols, grads);
        device.queue.writeBuffer(invStd, 0, new Float32Array(inv32));
        const xhat = buffers.upload('x̂', padded(xhat32));
        const delta = buffers.upload('g → ∂z', padded(g));
        const gradsBuf = buffers.upload('∂γ ∂β', filled(2 * cols, SENTINEL));
        runDispatches(device, launches, [launches.batchNorm({ op: 'backward', xhat, invStd, gammaBeta: gb, delta, grads: gradsBuf, ...common })], batches);
        const scales = normBackwardScales(g, gammaBeta, xhat32, inv32, rows, cols, 'rows');
        return await compareNormBackward(device, buffers, { grads, gradsBuf, dz: padded(dz), delta, scales, padded, rows, cols, shape });
      }
    }
  } finally {
    buffers.dispose();
  }
}

/**
 * The error scales of a normalization's backward: Σ of its terms' magnitudes, per γ/β gradient and
 * per ∂z element. The means of g·γ and g·γ·x̂ run over a row's units (layer norm, 1/σ per row) or
 * over a unit's rows (batch norm, 1/σ per unit).
 */
function normBackwardScales(g: Float64Array, gammaBeta: Float64Array, xhat: Float64Array, invStd: Float64Array, rows: number, cols: number, over: 'units' | 'rows'): { grads: Float64Array; dz: Float64Array } {
  const group = (i: number) => (over === 'units' ? Math.floor(i / cols) : i % cols);
  const count = over === 'units' ? cols : rows;
  const grads = new Float64Array(2 * cols);
  const mg = new Float64Array(invStd.length);
  const mgx = new Float64Array(invStd.length);
  for (let i = 0; i < rows * cols; i++) {
    const j = i % cols;
    grads[j] += Math.abs(g[i] * xhat[i]);
    grads[cols + j] += Math.abs(g[i]);
    mg[group(i)] += Math.abs(g[i] * gammaBeta[j]) / count;
    mgx[group(i)] += Math.abs(g[i] * gammaBeta[j] * xhat[i]) / count;
  }
  const dz = g.map((v, i) => invStd[group(i)] * (Math.abs(v * gammaBeta[i % cols]) + mg[group(i)] + Math.abs(xhat[i]) * mgx[group(i)]));
  return { grads, dz };
}

/** A normalization backward's [∂γ, ∂β] and ∂loss/∂z (the batch's rows, then the sentinel row) against the reference, within the scales. */
async function compareNormBackward(device: GPUDevice, buffers: BufferManager, r: {
  grads: Float64Array; gradsBuf: GPUBuffer; dz: Float64Array; delta: GPUBuffer; scales: { grads: Float64Array; dz: Float64Array };
  padded: (a: Float64Array) => Float64Array; rows: number; cols: number; shape: string;
}): Promise<string[]> {
  return [
    ...compare(`[∂γ, ∂β] ${r.shape}`, r.grads, await read(device, buffers, r.gradsBuf, 2 * r.cols), TOLERANCES.elementwise, r.scales.grads),
    ...compare(`∂loss/∂z ${r.shape}`, r.dz, await read(device, buffers, r.delta, (r.rows + 1) * r.cols), TOLERANCES.elementwise, r.padded(r.scales.dz)),
  ];
}

/** Runs the named case of `block`; returns its failures (empty when it passes), each naming the block and case. */
export async function runKernelCase(block: KernelBlock, name: string): Promise<string[]> {
  const c = kernelCases[block]?.find((k) => caseName(k) === name);
  if (!c) return [`no kernel case named ${name} in ${block}`];
  const device = await getDevice();
  const variant: MatmulVariantId | undefined = MATMUL_BLOCK_VARIANT[block as keyof typeof MATMUL_BLOCK_VARIANT];
  const failures = await withValidation(device, () => runCaseOn(device, c, variant));
  return failures.map((f) => `[${block}: ${name}] ${f}`);
}
