import type { BindingName, EntryName, KernelInterface, NoOtherNames, ParamsValues } from './kernel-interface';
import type { BindingBuffers } from './pipelines';
import type { MatmulModes, MatmulShape, MatmulVariantId } from './matmul-variants';

/**
 * One kernel launch as a builder asks for it (`launch-*.ts`): what to compile, bind and dispatch,
 * before any GPU object exists. Built by {@link request}, which checks its names; loose after.
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
 * The buffers a request binds for entry point `E` of `K`: every binding but the params uniform,
 * which the launch makes from the request's `params`.
 */
export type RequestBuffers<K extends KernelInterface, E extends EntryName<K>> = Omit<BindingBuffers<K, E>, 'params'>;

/** The params a request of entry point `E` of `K` gives: every field of its uniform, or null when it binds none. */
export type RequestParams<K extends KernelInterface, E extends EntryName<K>> = 'params' extends BindingName<K, E> ? ParamsValues<K> : null;

/** A request's parts besides its kernel and entry point; `P` and `B` are what the builder gives. */
export interface RequestParts<P, B> {
  label: string;
  /** Pipeline override constants (none by default). */
  constants?: Record<string, number | boolean>;
  params: P;
  buffers: B;
  workgroups: [number, number];
  matmul?: LaunchRequest['matmul'];
}

/**
 * The request of entry point `entry` of `kernel`. For a kernel imported with `?kernel`, a binding
 * or Params field missing, misspelt or extra fails to compile (and `params` must be null exactly
 * when the entry point binds no params uniform); at run time the launch checks them again.
 *
 * @example
 * request(KERNELS.softmax, 'main', { label: 'softmax', params: { cols: 10 }, buffers: { z }, workgroups: [1, 1] });
 */
export function request<K extends KernelInterface, E extends EntryName<K>, P extends RequestParams<K, E>, B extends RequestBuffers<K, E>>(
  kernel: K, entry: E, parts: RequestParts<P & NoOtherNames<P, NonNullable<RequestParams<K, E>>>, B & NoOtherNames<B, RequestBuffers<K, E>>>,
): LaunchRequest {
  const r: LaunchRequest = {
    label: parts.label, kernel, entry, constants: parts.constants ?? {}, params: parts.params, buffers: parts.buffers, workgroups: parts.workgroups,
  };
  if (parts.matmul) r.matmul = parts.matmul;
  return r;
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
