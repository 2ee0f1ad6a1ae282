/** Largest storage binding to use on `device`, in bytes (`override` lowers it, as tests do). */
export function bindingLimit(device: GPUDevice, override?: number): number {
  return Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize, override ?? Infinity);
}

/**
 * Throws a `RangeError` naming `what`, the index, the bytes and the limit when any of
 * `elementCounts` float32 values would not fit one storage binding.
 *
 * @example
 * checkFits(device, 'weights of layer', [784 * 128, 128 * 10]);
 */
export function checkFits(device: GPUDevice, what: string, elementCounts: number[], override?: number): void {
  const limit = bindingLimit(device, override);
  elementCounts.forEach((count, i) => {
    const bytes = count * 4;
    if (bytes > limit) {
      throw new RangeError(`${what} ${i} needs a ${bytes}-byte GPU buffer (${count} float32 values), more than this device's maxStorageBufferBindingSize of ${limit} bytes`);
    }
  });
}
