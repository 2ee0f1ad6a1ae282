import { type NetSpec, fanIn } from '../core/config';

/** What these checks read of a device (a GPUDevice has it): its storage binding and buffer size limits. */
export interface BindingLimits {
  readonly limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>;
}

/** Largest storage binding to use on `device`, in bytes (`override` lowers it, as tests do). */
export function bindingLimit(device: BindingLimits, override?: number): number {
  return Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize, override ?? Infinity);
}

/**
 * Throws a `RangeError` naming `what`, the index, the bytes and the limit when any of
 * `elementCounts` float32 values would not fit one storage binding.
 *
 * @example
 * checkFits(device, 'weights of layer', [784 * 128, 128 * 10]);
 */
export function checkFits(device: BindingLimits, what: string, elementCounts: number[], override?: number): void {
  const limit = bindingLimit(device, override);
  elementCounts.forEach((count, i) => {
    const bytes = count * 4;
    if (bytes > limit) {
      throw new RangeError(`${what} ${i} needs a ${bytes}-byte GPU buffer (${count} float32 values), more than this device's maxStorageBufferBindingSize of ${limit} bytes`);
    }
  });
}

/**
 * Checks, before anything is allocated, that every parameter buffer of `net` fits one storage
 * binding of `device`: each layer's weights (and gradients), biases, γ then β of the layers with norm,
 * and the running mean then variance of those with norm 'batch'.
 *
 * @example
 * checkNetworkFits(device, net); // RangeError: weights of layer 0 needs a 4294967296-byte GPU buffer …
 */
export function checkNetworkFits(device: BindingLimits, net: NetSpec, override?: number): void {
  checkFits(device, 'weights of layer', net.layers.map((l, i) => fanIn(net, i) * l.units), override);
  checkFits(device, 'biases of layer', net.layers.map((l) => l.units), override);
  checkFits(device, 'norm scale and shift of layer', net.layers.map((l) => (l.norm ? 2 * l.units : 0)), override);
  checkFits(device, 'batch norm running mean and variance of layer', net.layers.map((l) => (l.norm === 'batch' ? 2 * l.units : 0)), override);
}

/**
 * Checks that the copy of each layer's weights and its `slots` optimizer slots kept from before
 * the last update (the divergence guard) fits one storage binding, before the optimizer's buffers
 * are allocated.
 *
 * @example
 * checkOptimizerFits(device, net, 2); // Adam: weights + 2 slots per layer in one binding
 */
export function checkOptimizerFits(device: BindingLimits, net: NetSpec, slots: number, override?: number): void {
  const what = `copy of the weights and ${slots} optimizer slot${slots === 1 ? '' : 's'} kept from before the last update, for layer`;
  checkFits(device, what, net.layers.map((l, i) => (1 + slots) * fanIn(net, i) * l.units), override);
  checkFits(device, `copy of γ/β and ${slots} optimizer slot${slots === 1 ? '' : 's'} kept from before the last update, for layer`, net.layers.map((l) => (l.norm ? (1 + slots) * 2 * l.units : 0)), override);
}
