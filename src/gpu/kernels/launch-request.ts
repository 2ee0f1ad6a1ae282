import type { KernelInterface } from './kernel-interface';
import type { MatmulModes, MatmulShape, MatmulVariantId } from './matmul-variants';

/**
 * One kernel launch as a builder asks for it (`launch-*.ts`): what to compile, bind and dispatch,
 * before any GPU object exists. {@link LaunchBuilder} subclasses turn it into a launch or a record.
 *
 * @example
 * const r = softmaxRequest({ z, cols: 10, rows: 64 }); // r.kernel === KERNELS.softmax
 */
export interface LaunchRequest {
  label: string;
  kernel: KernelInterface;
  entry: string;
  /** Pipeline override constants. */
  constants: Record<string, number | boolean>;
  /** The fields of the kernel's params uniform, or null when the entry point has none. */
  params: Record<string, number> | null;
  /** Buffers by binding name (null: unused, a placeholder is bound). */
  buffers: Record<string, GPUBuffer | null>;
  workgroups: [number, number];
  /** For a matmul: the variant it runs, its shape and its operand modes. */
  matmul?: { variant: MatmulVariantId; shape: MatmulShape; modes: MatmulModes };
}

/**
 * Splits `items` over workgroups of `size` threads, using a second dimension past 65 535.
 *
 * @example
 * grid1d(100_000, 64); // [1563, 1]
 */
export function grid1d(items: number, size: number): [number, number] {
  const groups = Math.max(1, Math.ceil(items / size));
  // maxComputeWorkgroupsPerDimension is 65 535 by default
  return groups <= 65535 ? [groups, 1] : [65535, Math.ceil(groups / 65535)];
}
