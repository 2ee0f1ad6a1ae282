// The wasm backend's generated matrix products (src/wasm/kernels/matmul.ts) against float64: the
// three forms the step uses (A·B forward with bias and activation fused, Aᵀ·B for the weight
// gradient, A·Bᵀ with f'(a) and dropout factors fused for the hidden delta) at every combination
// of the sizes 1, 3, 7, 65 and 257 and at mixed shapes, seeded inputs in [−2, 2]. A deliberately
// wrong kernel must fail the same comparison.
import { describe, expect, it } from 'vitest';
import { matmulAB, matmulABT, matmulATB } from '../src/cpu/matmul';
import { activate, activationDerivative } from '../src/cpu/activations';
import { Rng } from '../src/core/random';
import { ModuleBuilder } from '../src/wasm/emit/module';
import { type MatmulSpec, addMatmul, matmulScratchBytes } from '../src/wasm/kernels/matmul';
import { type Elementwise, type MathFunctions, addMathFunctions } from '../src/wasm/kernels/math';

const SIZES = [1, 3, 7, 65, 257];
const MIXED: [number, number, number][] = [[45, 65, 9], [9, 45, 65], [65, 9, 45], [1, 257, 10], [256, 784, 10], [300, 17, 1]];
/** |wasm − float64| ≤ ATOL + RTOL·Σ_k |a_ik·b_kj|: float32 sums of K products. */
const ATOL = 1e-5;
const RTOL = 1e-5;
/** Elementwise epilogues after the sum: their own float32 error on top. */
const EPILOGUE_RTOL = 1e-5;

type Form = 'AB' | 'ATB' | 'ABT';
interface Case { form: Form; M: number; K: number; N: number; activation?: Elementwise; derivative?: Elementwise; factors?: boolean }

const seeded = (rng: Rng, n: number, lo = -2, hi = 2) => Float64Array.from({ length: n }, () => Math.fround(rng.uniform(lo, hi)));
const transpose = (a: Float64Array, rows: number, cols: number) => {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
};
const shapeOf = (c: Case) => `${c.form} M=${c.M} K=${c.K} N=${c.N}${c.activation ? ` +bias ${c.activation}` : ''}${c.derivative ? ` ·${c.derivative}'(a)` : ''}${c.factors ? ' ·factors' : ''}`;

/** The spec the backend would build for case `c` (M given at run time, except Aᵀ·B's K). */
function specOf(c: Case, act: (name: Elementwise) => number, der: (name: Elementwise) => number): MatmulSpec {
  const base = { M: c.form === 'ATB' ? c.M : null, K: c.form === 'ATB' ? null : c.K, N: c.N, ldc: c.N };
  const epilogue = { bias: c.activation !== undefined, activation: c.activation && act(c.activation), derivative: c.derivative && der(c.derivative), factors: c.factors };
  if (c.form === 'AB') return { ...base, a: 'rows', b: 'rows', lda: c.K, ldb: c.N, epilogue };
  if (c.form === 'ATB') return { ...base, a: 'cols', b: 'rows', lda: c.M, ldb: c.N, epilogue };
  return { ...base, a: 'rows', b: 'cols', lda: c.K, ldb: c.K, epilogue };
}

/**
 * Runs case `c` through a kernel built from `specOf(c)` (changed by `mutate`, for the broken-kernel
 * check) and returns readable failures against the float64 reference.
 */
function runCase(c: Case, mutate: (s: MatmulSpec, math: MathFunctions) => MatmulSpec = (s) => s): string[] {
  const { M, K, N } = c;
  const m = new ModuleBuilder();
  const math = addMathFunctions(m);
  const spec = mutate(specOf(c, (a) => math.activate[a], (a) => math.derivative[a]), math);
  addMatmul(m, 'mm', spec, true);
  const rng = new Rng(1234, shapeOf(c));
  const A = seeded(rng, M * K);
  const B = seeded(rng, K * N);
  const bias = seeded(rng, N);
  const src = seeded(rng, M * N, c.derivative === 'sigmoid' ? 0 : -1, 1);
  const factors = Float64Array.from({ length: M * N }, () => (rng.next() < 0.3 ? 0 : 2));
  // operands as stored: Aᵀ for Aᵀ·B, Bᵀ for A·Bᵀ; every buffer padded by 16 bytes
  const stored = { a: c.form === 'ATB' ? transpose(A, M, K) : A, b: c.form === 'ABT' ? transpose(B, K, N) : B };
  const lengths = [M * K, K * N, M * N, N, M * N, M * N, matmulScratchBytes(spec) / 4];
  const offsets: number[] = [];
  let at = 16;
  for (const n of lengths) {
    offsets.push(at);
    at += n * 4 + 16;
  }
  const memory = new WebAssembly.Memory({ initial: Math.ceil(at / 65536) + 1 });
  const f = new Float32Array(memory.buffer);
  [stored.a, stored.b, new Float64Array(M * N).fill(7), bias, src, factors].forEach((d, i) => f.set(d, offsets[i] / 4));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env: { memory } });
  const mm = instance.exports.mm as (...args: number[]) => void;
  const [a, b, out, biasAt, srcAt, factorsAt, scratch] = offsets;
  mm(a, b, out, c.form === 'ATB' ? K : M, scratch, biasAt, srcAt, factorsAt);
  const got = f.subarray(out / 4, out / 4 + M * N);
  // float64 reference, and the scale its rounding error grows with
  let want = c.form === 'AB' ? matmulAB(A, B, M, K, N) : c.form === 'ATB' ? matmulATB(stored.a, B, M, K, N) : matmulABT(A, stored.b, M, K, N);
  const scale = matmulAB(A.map(Math.abs), B.map(Math.abs), M, K, N);
  if (c.activation) {
    for (let r = 0; r < M; r++) for (let j = 0; j < N; j++) want[r * N + j] += bias[j];
    const z = want;
    want = activate(c.activation, z, M, N);
    // the activation's slope carries the sum's error through it: bound it by |z| + scale
    for (let i = 0; i < scale.length; i++) scale[i] += Math.abs(bias[i % N]);
  }
  if (c.derivative) {
    const d = activationDerivative(c.derivative, src);
    for (let i = 0; i < want.length; i++) {
      want[i] *= d[i];
      scale[i] *= Math.abs(d[i]);
    }
  }
  if (c.factors)
    for (let i = 0; i < want.length; i++) {
      want[i] *= factors[i];
      scale[i] *= factors[i];
    }
  const failures: string[] = [];
  for (let i = 0; i < want.length && failures.length < 4; i++) {
    const tol = ATOL + RTOL * scale[i] + EPILOGUE_RTOL * Math.abs(want[i]);
    if (!(Math.abs(got[i] - want[i]) <= tol)) failures.push(`${shapeOf(c)}: C[${Math.floor(i / N)}, ${i % N}] = ${got[i]}, expected ${want[i]} (|diff| ${Math.abs(got[i] - want[i]).toExponential(2)} > ${tol.toExponential(2)})`);
  }
  return failures;
}

const grid = (form: Form, extra: Partial<Case> = {}): Case[] => [
  ...SIZES.flatMap((M) => SIZES.flatMap((K) => SIZES.map((N) => ({ form, M, K, N, ...extra })))),
  ...MIXED.map(([M, K, N]) => ({ form, M, K, N, ...extra })),
];

describe('wasm matmul: the three forms against float64, every size in {1, 3, 7, 65, 257}³ and mixed shapes', () => {
  for (const form of ['AB', 'ATB', 'ABT'] as const) {
    it(`${form}, plain product`, () => {
      const failures = grid(form).flatMap((c) => runCase(c));
      expect(failures, failures.join('\n')).toEqual([]);
    });
  }
});

describe('wasm matmul: fused epilogues', () => {
  for (const activation of ['sigmoid', 'tanh', 'relu', 'linear'] as const) {
    it(`forward A·B + bias, then ${activation}`, () => {
      const failures = grid('AB', { activation }).flatMap((c) => runCase(c));
      expect(failures, failures.join('\n')).toEqual([]);
    });
  }
  for (const derivative of ['sigmoid', 'tanh', 'relu', 'linear'] as const) {
    it(`hidden delta A·Bᵀ ⊙ ${derivative}'(a) ⊙ dropout factors`, () => {
      const failures = grid('ABT', { derivative, factors: true }).flatMap((c) => runCase(c));
      expect(failures, failures.join('\n')).toEqual([]);
    });
  }
});

describe('wasm matmul: a broken kernel fails the comparison', () => {
  const cases: Case[] = [{ form: 'AB', M: 45, K: 65, N: 9 }, { form: 'ATB', M: 7, K: 65, N: 257 }, { form: 'ABT', M: 65, K: 7, N: 3 }];
  it('one K step short', () => {
    for (const c of cases) {
      // Aᵀ·B's K is the run-time size: shorten the compile-time M instead (one row of C missing)
      const broken = runCase(c, (s) => (s.K === null ? { ...s, M: s.M! - 1 } : { ...s, K: s.K - 1 }));
      expect(broken.length, `${shapeOf(c)}: the broken kernel passed`).toBeGreaterThan(0);
    }
  });
  it('the wrong activation in the epilogue', () => {
    const c: Case = { form: 'AB', M: 7, K: 9, N: 65, activation: 'tanh' };
    const broken = runCase(c, (s, math) => ({ ...s, epilogue: { ...s.epilogue, activation: math.activate.sigmoid } }));
    expect(broken.length).toBeGreaterThan(0);
  });
  it('C written with the wrong row stride', () => {
    const broken = runCase({ form: 'AB', M: 7, K: 9, N: 65 }, (s) => ({ ...s, ldc: s.ldc - 1 }));
    expect(broken.length).toBeGreaterThan(0);
  });
});
