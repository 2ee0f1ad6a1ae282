/**
 * Matrix products as generated functions: C[M, N] = A·B, Aᵀ·B or A·Bᵀ, float32, with N and the
 * strides fixed when the module is built and M or K given at run time (GotoBLAS's structure). K is
 * cut into tiles of at most KC; each tile of B is packed into contiguous panels of NR = 4·NV
 * columns (pack.ts), which also reads B from its transpose for A·Bᵀ. A register-blocked
 * micro-kernel keeps an MR × NR block of C in v128 locals while it walks a tile, broadcasting one
 * element of A per row and loading NV vectors of the panel per step; A's rows are read in place,
 * or packed into an MR-wide panel when A is given transposed (Aᵀ·B). On the last K tile an
 * epilogue adds the bias and applies the activation (forward), or multiplies by f'(a) and the
 * dropout factors (hidden deltas), before the one store.
 */
import type { Bytes } from '../emit/encoding';
import { seq } from '../emit/encoding';
import { type Local, block, brIf, call, f32, forRange, get, i32, ifThen, loop, select, set, tee } from '../emit/instructions';
import { type ModuleBuilder, ValType } from '../emit/module';
import { f32x4, v128 } from '../emit/simd';
import { type PackLocals, type PackShape, packColsA, packColsB, packRowsB } from './pack';

/** What the last K tile does to each vector of C before storing it. */
export interface Epilogue {
  /** Adds bias[j] (the `p1` parameter). */
  bias?: boolean;
  /** Stores the vector before `activation` at `p2` too (row stride ldc): z, for activations whose f' reads it. */
  keepZ?: boolean;
  /** Applies this v128 → v128 function (an activation). */
  activation?: number;
  /** Multiplies by this function of src[i, j] (`p2`, row stride ldc): f'(a) for hidden deltas. */
  derivative?: number;
  /** Multiplies by factors[i, j] (`p3`, row stride ldc): dropout. */
  factors?: boolean;
}

/** Register block and K tile: MR rows × NV vectors of four columns, KC steps of K per tile. */
export interface Tiling {
  mr: number;
  nv: number;
  kc: number;
}

/**
 * The tiling the step uses: 8 accumulators (4 rows × 2 vectors), 2 panel vectors and a broadcast
 * fit the 15 XMM registers V8 allocates. `bench/wasm-matmul.ts --tilings` on a 2-core EPYC: 4 × 2,
 * 3 × 2 and 2 × 4 with KC 128–512 all ran at 45–48 GFLOP/s; 12 accumulators spill (27–28).
 */
export const DEFAULT_TILING: Tiling = { mr: 4, nv: 2, kc: 256 };

/** Below this many rows of C, A·B reads B in place: packing a tile costs as much as using it on so few rows. */
const DIRECT_ROWS = 16;

/**
 * One product, C[M, N] = op(A)·op(B). `a: 'cols'` means A is stored transposed ([K, M]: Aᵀ·B),
 * `b: 'cols'` that B is ([N, K]: A·Bᵀ). Exactly one of M and K is null: that size is the
 * function's `dim` parameter.
 */
export interface MatmulSpec {
  a: 'rows' | 'cols';
  b: 'rows' | 'cols';
  M: number | null;
  K: number | null;
  N: number;
  /** Row strides (in floats) of A's, B's and C's storage. */
  lda: number;
  ldb: number;
  ldc: number;
  epilogue?: Epilogue;
  tiling?: Tiling;
}

/** The parameters every product function takes: (a, b, c, dim, scratch, p1, p2, p3), all i32. */
export const MATMUL_PARAMS = Array.from({ length: 8 }, () => ValType.i32);

/** Bytes of scratch (packed panels) the product needs at its `scratch` parameter. */
export function matmulScratchBytes(spec: Pick<MatmulSpec, 'N' | 'tiling'>): number {
  const t = spec.tiling ?? DEFAULT_TILING;
  const nr = 4 * t.nv;
  return t.kc * (Math.ceil(spec.N / nr) * nr + t.mr) * 4;
}

interface Ctx {
  s: MatmulSpec;
  t: Tiling;
  p: Local[];
  acc: Local[][];
  bv: Local[];
  av: Local;
  tmp: Local;
  pa: Local;
  pb: Local;
  pc: Local;
  kk: Local;
  i0: Local;
  j0: Local;
  bStep: Local;
  k0: Local;
  kc: Local;
  direct: Local;
  pack: PackLocals;
  mDim: Bytes;
  kDim: Bytes;
}

const NR = (x: Ctx) => 4 * x.t.nv;
/** Where A's packed panel starts: after the B panels. */
const aPanel = (x: Ctx) => i32.add(get(x.p[4]), i32.c(x.t.kc * Math.ceil(x.s.N / NR(x)) * NR(x) * 4));

/** Offset in bytes of C's (and the epilogue sources') vector v of row r within a block. */
const cOffset = (x: Ctx, r: number, v: number) => r * x.s.ldc * 4 + v * 16;

/** The epilogue applied to vector (r, v) held in `x.tmp` (its first `lanes` real), leaving the result there. */
function epilogue(x: Ctx, r: number, v: number, lanes: number): Bytes {
  const e = x.s.epilogue ?? {};
  const out: Bytes[] = [];
  if (e.bias) out.push(set(x.tmp, f32x4.add(get(x.tmp), v128.load(i32.add(get(x.p[5]), i32.mul(get(x.j0), i32.c(4))), v * 16))));
  const at = (p: Local) => i32.add(get(p), i32.sub(get(x.pc), get(x.p[2])));
  if (e.keepZ) out.push(storeLanes(at(x.p[6]), x, r, v, lanes));
  if (e.activation !== undefined) out.push(set(x.tmp, call(e.activation, get(x.tmp))));
  if (e.derivative !== undefined) out.push(set(x.tmp, f32x4.mul(get(x.tmp), call(e.derivative, v128.load(at(x.p[6]), cOffset(x, r, v))))));
  if (e.factors) out.push(set(x.tmp, f32x4.mul(get(x.tmp), v128.load(at(x.p[7]), cOffset(x, r, v)))));
  return seq(...out);
}

/** Stores `x.tmp` as vector (r, v) of the block: all four lanes, or the first `lanes`. */
const store = (x: Ctx, r: number, v: number, lanes: number): Bytes => storeLanes(get(x.pc), x, r, v, lanes);

/** Stores `x.tmp` as vector (r, v) of the block at `base`: all four lanes, or the first `lanes` (the others are the next row's). */
function storeLanes(base: Bytes, x: Ctx, r: number, v: number, lanes: number): Bytes {
  if (lanes === 4) return v128.store(base, get(x.tmp), cOffset(x, r, v));
  return seq(...Array.from({ length: lanes }, (_, l) => f32.store(base, f32x4.extract(get(x.tmp), l), cOffset(x, r, v) + 4 * l)));
}

/** The micro-kernel for an mr × (nv vectors) block at (i0, j0) over the K tile [k0, k0 + kc), storing `lanes` columns of its last vector. */
function micro(x: Ctx, mr: number, nv: number, lanes: number): Bytes {
  const { s } = x;
  const rowOff = (r: number) => (s.a === 'rows' ? r * s.lda * 4 : r * 4);
  const aStep = s.a === 'rows' ? 4 : x.t.mr * 4;
  const cells = (f: (r: number, v: number) => Bytes) => seq(...Array.from({ length: mr }, (_, r) => seq(...Array.from({ length: nv }, (_, v) => f(r, v)))));
  const step = seq(
    ...Array.from({ length: nv }, (_, v) => set(x.bv[v], v128.load(get(x.pb), v * 16))),
    ...Array.from({ length: mr }, (_, r) =>
      seq(set(x.av, v128.splat32(get(x.pa), rowOff(r))), ...Array.from({ length: nv }, (_, v) => set(x.acc[r][v], f32x4.add(get(x.acc[r][v]), f32x4.mul(get(x.av), get(x.bv[v])))))),
    ),
  );
  const last = (v: number) => (v === nv - 1 ? lanes : 4);
  const inPlaceB = i32.add(get(x.p[1]), i32.mul(i32.add(i32.mul(get(x.k0), i32.c(s.ldb)), get(x.j0)), i32.c(4)));
  const packedB = i32.add(get(x.p[4]), i32.mul(i32.mul(get(x.j0), get(x.kc)), i32.c(4)));
  const bStep = s.b === 'rows' ? select(i32.c(s.ldb * 4), i32.c(NR(x) * 4), get(x.direct)) : i32.c(NR(x) * 4);
  return seq(
    set(x.pc, i32.add(get(x.p[2]), i32.mul(i32.add(i32.mul(get(x.i0), i32.c(s.ldc)), get(x.j0)), i32.c(4)))),
    set(x.pa, s.a === 'rows' ? i32.add(get(x.p[0]), i32.mul(i32.add(i32.mul(get(x.i0), i32.c(s.lda)), get(x.k0)), i32.c(4))) : aPanel(x)),
    set(x.pb, s.b === 'rows' ? select(inPlaceB, packedB, get(x.direct)) : packedB),
    ifThen(i32.eqz(get(x.k0)), cells((r, v) => set(x.acc[r][v], v128.zero())), cells((r, v) => set(x.acc[r][v], v128.load(get(x.pc), cOffset(x, r, v))))),
    set(x.kk, get(x.kc)),
    set(x.bStep, bStep),
    loop(step, set(x.pa, i32.add(get(x.pa), i32.c(aStep))), set(x.pb, i32.add(get(x.pb), get(x.bStep))), brIf(0, tee(x.kk, i32.sub(get(x.kk), i32.c(1))))),
    ifThen(
      i32.geS(i32.add(get(x.k0), get(x.kc)), x.kDim),
      cells((r, v) => seq(set(x.tmp, get(x.acc[r][v])), epilogue(x, r, v, last(v)), store(x, r, v, last(v)))),
      cells((r, v) => seq(set(x.tmp, get(x.acc[r][v])), store(x, r, v, last(v)))),
    ),
  );
}

/** Every column block of the row block at i0 (mr rows), after packing its A panel when A is transposed. */
function rowBlock(x: Ctx, mr: number): Bytes {
  const N = x.s.N;
  const nr = NR(x);
  const full = Math.floor(N / nr);
  const tail = N - full * nr;
  const shape: PackShape = { N, nr, mr: x.t.mr, ld: x.s.lda };
  return seq(
    x.s.a === 'cols' ? packColsA(shape, x.pack, get(x.p[0]), aPanel(x), get(x.i0), get(x.k0), get(x.kc)) : [],
    full > 0 ? forRange(x.j0, i32.c(0), i32.c(full * nr), nr, micro(x, mr, x.t.nv, 4)) : [],
    tail > 0 ? seq(set(x.j0, i32.c(full * nr)), micro(x, mr, Math.ceil(tail / 4), tail - 4 * (Math.ceil(tail / 4) - 1))) : [],
  );
}

/** The K tiles: each packs its B tile (unless B is read in place), then runs every row block. */
function kTiles(x: Ctx): Bytes {
  const { mr, kc } = x.t;
  const shape: PackShape = { N: x.s.N, nr: NR(x), mr, ld: x.s.ldb };
  const packB = x.s.b === 'rows'
    ? ifThen(i32.eqz(get(x.direct)), packRowsB(shape, x.pack, get(x.p[1]), get(x.p[4]), get(x.k0), get(x.kc)))
    : packColsB(shape, x.pack, get(x.p[1]), get(x.p[4]), get(x.k0), get(x.kc));
  const rest = Array.from({ length: mr - 1 }, (_, k) => k + 1).map((r) => ifThen(i32.eq(i32.sub(x.mDim, get(x.i0)), i32.c(r)), rowBlock(x, r)));
  return seq(
    set(x.direct, x.s.b === 'rows' ? i32.ltS(x.mDim, i32.c(DIRECT_ROWS)) : i32.c(0)),
    forRange(
      x.k0, i32.c(0), x.kDim, kc,
      set(x.kc, i32.minS(i32.c(kc), i32.sub(x.kDim, get(x.k0)))),
      packB,
      forRange(x.i0, i32.c(0), i32.sub(x.mDim, i32.c(mr - 1)), mr, rowBlock(x, mr)),
      ...rest,
    ),
  );
}

/**
 * Adds the product function `name` for `spec` to `m`; returns its index. It reads its operands
 * up to 12 bytes past their last element (a partial vector, whose extra lanes are never stored):
 * the memory plan pads every buffer.
 *
 * @example
 * const fwd = addMatmul(m, 'forward0', { a: 'rows', b: 'rows', M: null, K: 784, N: 128, lda: 784, ldb: 128, ldc: 128, epilogue: { bias: true, activation: math.activate.relu } });
 */
export function addMatmul(m: ModuleBuilder, name: string, spec: MatmulSpec, exported = false): number {
  if ((spec.M === null) === (spec.K === null)) throw new Error(`matmul ${name}: exactly one of M and K is given at run time`);
  const t = spec.tiling ?? DEFAULT_TILING;
  return m.add(name, MATMUL_PARAMS, [], (f) => {
    const v = () => f.local(ValType.v128);
    const n = () => f.local(ValType.i32);
    const p = MATMUL_PARAMS.map((_, i) => f.param(i));
    const x: Ctx = {
      s: spec, t, p,
      acc: Array.from({ length: t.mr }, () => Array.from({ length: t.nv }, v)),
      bv: Array.from({ length: t.nv }, v), av: v(), tmp: v(),
      pa: n(), pb: n(), pc: n(), kk: n(), i0: n(), j0: n(), bStep: n(), k0: n(), kc: n(), direct: n(),
      pack: { kk: n(), jj: n(), src: n(), dst: n() },
      mDim: spec.M === null ? get(p[3]) : i32.c(spec.M),
      kDim: spec.K === null ? get(p[3]) : i32.c(spec.K),
    };
    return block(kTiles(x));
  }, exported);
}
