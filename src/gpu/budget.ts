import type { BufferManager } from './buffers';

/** Bytes a data set needs on the device, by part (see `dataBytes` in train/dataset.ts). */
export interface DataBytes {
  inputs: number;
  targets: number;
  total: number;
}

/**
 * What a model may allocate on its device: the `maxDeviceBytes` budget, checked before an
 * allocation, and the device's own memory, whose exhaustion is turned into a RangeError.
 *
 * @example
 * const budget = new DeviceBudget(device, buffers, 64 << 20);
 * const run = await budget.allocating('training data', async () => build());
 */
export class DeviceBudget {
  constructor(
    private readonly device: GPUDevice,
    private readonly buffers: BufferManager,
    /** Most bytes the model may hold on the device (undefined: no budget). */
    private readonly maxDeviceBytes: number | undefined,
  ) {}

  /**
   * Refuses, before allocating, data of `need` bytes that would take the model past
   * `maxDeviceBytes` (`freed`: bytes the allocation replaces), naming the sizes and `advice`.
   */
  check(what: string, need: DataBytes, freed: number, advice: string, form = 'stored'): void {
    const budget = this.maxDeviceBytes;
    if (budget === undefined) return;
    const held = this.buffers.bytes - freed;
    const available = Math.max(0, budget - held);
    if (need.total <= available) return;
    throw new RangeError(
      `${what} needs ${need.total} bytes on the GPU (inputs ${need.inputs} as ${form}, targets ${need.targets}, sample order ${need.total - need.inputs - need.targets}) but ${available} are available ` +
        `(maxDeviceBytes ${budget}, of which the model holds ${held}); ${advice}`,
    );
  }

  /**
   * Runs `allocate` in an out-of-memory error scope: what the device cannot hold is freed and
   * refused with a RangeError naming `what` and the bytes this model holds on the device.
   */
  async allocating<T extends { release(): void }>(what: string, allocate: () => Promise<T>): Promise<T> {
    this.device.pushErrorScope('out-of-memory');
    let out: T | null = null;
    let failure: unknown = null;
    try {
      out = await allocate();
    } catch (e) {
      failure = e;
    }
    const oom = await this.device.popErrorScope().catch(() => null);
    if (oom) {
      out?.release();
      throw new RangeError(`the GPU ran out of memory for ${what} (this model held ${this.buffers.bytes} bytes on the device before it): ${String(oom.message).slice(0, 200)}; stream the data in smaller chunks with fitDataset, or pass bytes (Uint8Array data with scale/offset)`);
    }
    if (failure) throw failure;
    return out!;
  }
}
