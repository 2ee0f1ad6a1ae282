import type { EntryName, KernelInterface, ParamsValues } from './kernel-interface';
import { KERNELS, MATMUL_SIZES, MATMUL_VARIANT_KERNELS } from './registry';
import { describeInfo } from '../device';

/**
 * The matmul variants: the same product with the same bindings, from different kernel files and
 * entry points, with override constants that size a thread's and a workgroup's work.
 *
 * @example
 * MATMUL_VARIANTS['blocked-16x16'].constants; // { RB: 4, CB: 4 }
 */
export const MATMUL_VARIANTS = {
  // matmul.wgsl `main`: 64×64 workgroup-memory tiles, 4×4 outputs a thread
  tiled: { kernel: KERNELS.matmul, entry: 'main', layout: 'tile', constants: {}, needs: null },
  // matmul.wgsl `blocked`: register blocks of 4×4, 8×8 or 16×16 outputs a thread, no workgroup
  // memory (suits adapters that run on CPU cores)
  'blocked-4x4': { kernel: KERNELS.matmul, entry: 'blocked', layout: 'blocks', constants: { RB: 1, CB: 1 }, needs: null },
  'blocked-8x8': { kernel: KERNELS.matmul, entry: 'blocked', layout: 'blocks', constants: { RB: 2, CB: 2 }, needs: null },
  'blocked-16x16': { kernel: KERNELS.matmul, entry: 'blocked', layout: 'blocks', constants: { RB: 4, CB: 4 }, needs: null },
  // matmul-vec4.wgsl: workgroup tiles staged and stored as vec4s (N a multiple of 4 only); small
  // tiles for thin layers and small batches
  'vec4-32x32': { kernel: MATMUL_VARIANT_KERNELS['matmul-vec4'], entry: 'main', layout: 'vec4', constants: { WG_X: 8, WG_Y: 8, ROWS: 4 }, needs: 'vec4' },
  'vec4-64x64': { kernel: MATMUL_VARIANT_KERNELS['matmul-vec4'], entry: 'main', layout: 'vec4', constants: { WG_X: 16, WG_Y: 16, ROWS: 4 }, needs: 'vec4' },
  'vec4-128x64': { kernel: MATMUL_VARIANT_KERNELS['matmul-vec4'], entry: 'main', layout: 'vec4', constants: { WG_X: 16, WG_Y: 16, ROWS: 8 }, needs: 'vec4' },
  // matmul-subgroups.wgsl: register blocks with A shared by subgroup broadcasts (devices with the
  // `subgroups` feature only)
  'subgroups-8x8': { kernel: MATMUL_VARIANT_KERNELS['matmul-subgroups'], entry: 'main', layout: 'rowBlocks', constants: { RB: 2, CB: 2 }, needs: 'subgroups' },
  'subgroups-16x16': { kernel: MATMUL_VARIANT_KERNELS['matmul-subgroups'], entry: 'main', layout: 'rowBlocks', constants: { RB: 4, CB: 4 }, needs: 'subgroups' },
} as const satisfies Record<string, MatmulVariantSpec & MatmulEntryPoint>;

/** How a variant's grid is laid out. */
type Layout = 'tile' | 'blocks' | 'rowBlocks' | 'vec4';

/** One entry of {@link MATMUL_VARIANTS}. */
export interface MatmulVariantSpec {
  kernel: KernelInterface;
  entry: string;
  layout: Layout;
  /** Override constants the variant fixes (its sizes). */
  constants: Readonly<Record<string, number>>;
  /** What it requires: N a multiple of 4 (`vec4`), the device's `subgroups` feature, or nothing. */
  needs: 'vec4' | 'subgroups' | null;
}

/** The three matmul kernel files: a launch through this union is checked against the bindings and Params all of them declare. */
export type MatmulKernel = typeof KERNELS.matmul | (typeof MATMUL_VARIANT_KERNELS)[keyof typeof MATMUL_VARIANT_KERNELS];

/** A matmul kernel file with one of its entry points: `main`, which all of them have, or one of matmul.wgsl's own (`blocked`). */
export type MatmulEntryPoint =
  | { kernel: MatmulKernel; entry: EntryName<MatmulKernel> }
  | { kernel: typeof KERNELS.matmul; entry: EntryName<typeof KERNELS.matmul> };

/** Name of a matmul variant. */
export type MatmulVariantId = keyof typeof MATMUL_VARIANTS;

/** Every variant name, in table order. */
export const MATMUL_VARIANT_IDS = Object.keys(MATMUL_VARIANTS) as MatmulVariantId[];

/** The storage forms of a product: C = A·B, Aᵀ·B (weight gradient), A·Bᵀ (hidden delta). */
export type MatmulForm = 'AB' | 'ATB' | 'ABT';

/** A product's shape: C[M, N] = op(A)[M, K] · op(B)[K, N] in one of the {@link MatmulForm}s. */
export interface MatmulShape {
  M: number;
  N: number;
  K: number;
  form: MatmulForm;
}

/** `AB 256x784x256`: the key a shape's choice is stored under. */
export const shapeKey = (s: MatmulShape): string => `${s.form} ${s.M}x${s.N}x${s.K}`;

/** What the device offers that variants may need. */
export interface DeviceTraits {
  subgroups: boolean;
  /** A software adapter (SwiftShader, WARP, llvmpipe): invocations run on CPU cores. */
  software: boolean;
}

/** The traits of `device` (subgroups from its features, software from its adapter info). */
export function deviceTraits(device: GPUDevice, software: boolean): DeviceTraits {
  return { subgroups: device.features.has('subgroups'), software };
}

/**
 * The traits of `device`, software read from its adapter info (where the browser gives it).
 *
 * @example
 * traitsOf(device); // { subgroups: true, software: true } on SwiftShader
 */
export function traitsOf(device: GPUDevice): DeviceTraits {
  return deviceTraits(device, describeInfo((device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo).software);
}

/**
 * Whether `variant` can compute `shape` on a device with `traits`; when not, a reason.
 *
 * @example
 * whyNot('vec4-64x64', { M: 9, N: 9, K: 9, form: 'AB' }, traits); // 'N = 9 is not a multiple of 4'
 */
export function whyNot(variant: MatmulVariantId, shape: MatmulShape, traits: DeviceTraits): string | null {
  const v: MatmulVariantSpec = MATMUL_VARIANTS[variant];
  if (!v) return `no matmul variant named '${variant}'`;
  if (v.needs === 'subgroups' && !traits.subgroups) return 'the device lacks the subgroups feature';
  if (v.needs === 'vec4' && shape.N % MATMUL_SIZES.vec4Cols !== 0) return `N = ${shape.N} is not a multiple of ${MATMUL_SIZES.vec4Cols}`;
  return null;
}

/** The variants that can compute `shape` on the device. */
export function applicableVariants(shape: MatmulShape, traits: DeviceTraits): MatmulVariantId[] {
  return MATMUL_VARIANT_IDS.filter((v) => whyNot(v, shape, traits) === null);
}

/** Most threads of a register-blocked workgroup. */
const BLOCKED_MAX_THREADS = 64;
/** Products of fewer multiply-adds than this are small (see `isCompact`). */
export const SMALL_WORK = 1 << 20;
/** Threads a side of the one workgroup shape that small and thin products share. */
const SMALL_SIDE = 4;
/** Products with fewer rows or columns than this are thin (two 8-wide register blocks). */
const THIN = 16;

/**
 * Whether `shape` is small (under {@link SMALL_WORK} multiply-adds) or thin (fewer than
 * {@link THIN} rows or columns, such as a 10-class output layer).
 *
 * @example
 * isCompact({ M: 512, N: 10, K: 1024, form: 'AB' }); // true
 */
export const isCompact = (s: MatmulShape): boolean => s.M * s.N * s.K < SMALL_WORK || Math.min(s.M, s.N) < THIN;
/** Fewest threads of a subgroups workgroup: lanes 0 … 3 of every subgroup must be there. */
const SUBGROUP_MIN_THREADS = 4;

const pow2AtLeast = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * A launch of one variant: its kernel file and entry point, its override constants (beyond the
 * operand modes; `RUNTIME_MODES: 1` when the kernel reads the modes from its params) and its grid.
 */
export type VariantLaunch = MatmulEntryPoint & { constants: Record<string, number>; workgroups: [number, number] };

/**
 * The constants and grid of `variant` for `shape` (M, N: the largest sizes; the batch may be
 * shorter at run time). Register-blocked workgroups are sized to the shape of C.
 *
 * @example
 * planVariant('blocked-8x8', { M: 256, N: 10, K: 784, form: 'AB' }).workgroups; // [1, 4]
 */
export function planVariant(variant: MatmulVariantId, shape: MatmulShape): VariantLaunch {
  const v: MatmulVariantSpec = MATMUL_VARIANTS[variant];
  // the rest keeps the kernel and entry point paired (each row's own types)
  const { layout: _layout, constants: _constants, needs: _needs, ...at } = MATMUL_VARIANTS[variant];
  const { M, N } = shape;
  const constants: Record<string, number> = { ...v.constants };
  const quad = MATMUL_SIZES.block;
  switch (v.layout) {
    case 'tile': {
      const tile = MATMUL_SIZES.tile;
      return { ...at, constants, workgroups: [Math.ceil(N / tile), Math.ceil(M / tile)] };
    }
    case 'blocks': {
      // up to BLOCKED_MAX_THREADS threads, no wider or taller than the blocks of C there are;
      // small and thin products share one pipeline per register-block size instead (compiling is
      // what such a product costs most): SMALL_SIDE × SMALL_SIDE threads, and the kernel reads the
      // operand modes at run time (RUNTIME_MODES, matmul-modes.wgsl)
      const bw = quad * constants.CB;
      const bh = quad * constants.RB;
      const compact = isCompact(shape);
      const wx = compact ? SMALL_SIDE : Math.min(Math.sqrt(BLOCKED_MAX_THREADS), pow2AtLeast(Math.ceil(N / bw)));
      const wy = compact ? SMALL_SIDE : Math.min(BLOCKED_MAX_THREADS / wx, pow2AtLeast(Math.ceil(M / bh)));
      constants.WG_X = wx;
      constants.WG_Y = wy;
      if (compact) constants.RUNTIME_MODES = 1;
      return { ...at, constants, workgroups: [Math.ceil(N / (bw * wx)), Math.ceil(M / (bh * wy))] };
    }
    case 'rowBlocks': {
      // one row of threads a workgroup, as wide as the column blocks (at least 4 threads)
      const bw = quad * constants.CB;
      const wx = Math.max(SUBGROUP_MIN_THREADS, Math.min(BLOCKED_MAX_THREADS, pow2AtLeast(Math.ceil(N / bw))));
      constants.WG_X = wx;
      return { ...at, constants, workgroups: [Math.ceil(N / (bw * wx)), Math.ceil(M / (quad * constants.RB))] };
    }
    case 'vec4': {
      const cols = MATMUL_SIZES.vec4Cols * constants.WG_X;
      const rows = constants.ROWS * constants.WG_Y;
      return { ...at, constants, workgroups: [Math.ceil(N / cols), Math.ceil(M / rows)] };
    }
  }
}

/**
 * Products of at least this many multiply-adds are large: by default 16×16 blocks, about 1.4×
 * faster than 8×8 on SwiftShader but some five times as long to compile, so only for the largest
 * products (below it, the tuner still tries them where compiling is cheap, or with 'full').
 */
const LARGE_WORK = 1 << 30;

/**
 * The variant used when nothing was measured (`tune: 'off'`, or shapes the tuner did not reach):
 * register blocks on software adapters, vec4 tiles (or the scalar tiled kernel) on GPUs.
 *
 * @example
 * defaultVariant({ M: 4, N: 8, K: 2, form: 'AB' }, { subgroups: true, software: true }); // 'blocked-4x4'
 */
export function defaultVariant(shape: MatmulShape, traits: DeviceTraits): MatmulVariantId {
  const { M, N, K } = shape;
  const work = M * N * K;
  if (traits.software) {
    // small and thin products: the variant that compiles fastest (about twice as fast as 8×8
    // blocks here); thin ones (a 10-class output layer) also run faster than 8×8 blocks, which
    // would compute 16 columns for 10
    if (isCompact(shape)) return 'blocked-4x4';
    // shared through subgroups where the device has them; 16×16 blocks for large products
    if (!traits.subgroups) return work >= LARGE_WORK ? 'blocked-16x16' : 'blocked-8x8';
    return work >= LARGE_WORK ? 'subgroups-16x16' : 'subgroups-8x8';
  }
  // GPUs: vec4 tiles sized to the shape where N allows, else the scalar tiled kernel
  if (N % MATMUL_SIZES.vec4Cols !== 0) return 'tiled';
  if (M <= 64 || N <= 64) return 'vec4-32x32';
  return M >= 1024 && N >= 512 ? 'vec4-128x64' : 'vec4-64x64';
}

/** A product's operand modes, as matmul-modes.wgsl names its constants. */
export interface MatmulModes {
  TRANS_A: boolean;
  TRANS_B: boolean;
  EPILOGUE: number;
  ACTIVATION: number;
  HAS_BIAS: boolean;
  /** The activation's alpha (leakyRelu, elu); absent means 0. */
  ACTIVATION_ALPHA?: number;
}

/**
 * The override constants of a product's pipeline: the variant's sizes, with the operand modes
 * unless the variant reads them at run time (then one pipeline serves every product of its kind).
 *
 * @example
 * pipelineConstants(planVariant('blocked-4x4', { M: 4, N: 8, K: 2, form: 'AB' }), modes); // { RB: 1, CB: 1, WG_X: 4, WG_Y: 4, RUNTIME_MODES: 1 }
 */
export function pipelineConstants(plan: VariantLaunch, modes: MatmulModes): Record<string, number | boolean> {
  return plan.constants.RUNTIME_MODES ? { ...plan.constants } : { ...modes, ...plan.constants };
}

/**
 * The values of a product's params uniform (struct Params of matmul-modes.wgsl): its sizes, which
 * of them is the batch's rows, and its modes (read only by pipelines with RUNTIME_MODES).
 *
 * @example
 * matmulParams({ M: 64, N: 10, K: 128 }, 1, modes).transA; // 0
 */
export function matmulParams(size: { M: number; N: number; K: number }, batchRows: number, modes: MatmulModes): ParamsValues<MatmulKernel> {
  return {
    M: size.M, N: size.N, K: size.K, batchRows,
    transA: +modes.TRANS_A, transB: +modes.TRANS_B, epilogue: modes.EPILOGUE, activation: modes.ACTIVATION, hasBias: +modes.HAS_BIAS,
    alpha: modes.ACTIVATION_ALPHA ?? 0,
  };
}
