import { GpuDisposedError } from '../core/errors';
import { MAP_MODE_READ, USAGE } from './usage';
/**
 * Owns GPU buffers: every buffer the library creates goes through here, so `dispose()` frees
 * them all and `live` counts what is still allocated.
 *
 * @example
 * const buffers = new BufferManager(device);
 * const w = buffers.create('W0', 1024, USAGE.STORAGE);
 * buffers.dispose(); // w and everything else destroyed
 */
export class BufferManager {
  private readonly owned = new Set<GPUBuffer>();
  private disposed = false;
  /** Bytes of the buffers this manager holds now. */
  bytes = 0;
  /** Buffers created and not yet destroyed, across every manager (for leak tests). */
  static liveTotal = 0;

  constructor(readonly device: GPUDevice) {}

  /** A buffer of at least `size` bytes (rounded up to 16), zero-filled; refused after `dispose()`, which could not free it. */
  create(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    if (this.disposed) throw new GpuDisposedError();
    const bytes = Math.max(16, Math.ceil(size / 16) * 16);
    const limit = this.device.limits.maxBufferSize;
    if (bytes > limit) throw new RangeError(`GPU buffer '${label}' needs ${bytes} bytes, more than this device's maxBufferSize ${limit}`);
    const buffer = this.device.createBuffer({ label, size: bytes, usage });
    this.owned.add(buffer);
    this.bytes += bytes;
    BufferManager.liveTotal++;
    return buffer;
  }

  /** A storage buffer initialized from `data` (float64 input is converted to float32). */
  upload(label: string, data: ArrayLike<number> | Float32Array | Uint32Array, usage: GPUBufferUsageFlags = 0): GPUBuffer {
    const typed = data instanceof Float32Array || data instanceof Uint32Array ? data : Float32Array.from(data);
    const buffer = this.create(label, typed.byteLength, USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC | usage);
    this.device.queue.writeBuffer(buffer, 0, typed.buffer, typed.byteOffset, typed.byteLength);
    return buffer;
  }

  /** A uniform buffer holding `words` (u32 or f32 values packed as given). */
  uniform(label: string, words: ArrayBuffer): GPUBuffer {
    const buffer = this.create(label, words.byteLength, USAGE.UNIFORM | USAGE.COPY_DST);
    this.device.queue.writeBuffer(buffer, 0, words);
    return buffer;
  }

  /** Destroys one buffer now. */
  destroy(buffer: GPUBuffer | null | undefined): void {
    if (!buffer || !this.owned.delete(buffer)) return;
    this.bytes -= buffer.size;
    buffer.destroy();
    BufferManager.liveTotal--;
  }

  /** Number of buffers this manager still holds. */
  get live(): number {
    return this.owned.size;
  }

  /** Destroys every buffer this manager created; it creates none after this. */
  dispose(): void {
    this.disposed = true;
    for (const b of this.owned) b.destroy();
    BufferManager.liveTotal -= this.owned.size;
    this.owned.clear();
    this.bytes = 0;
  }
}

/**
 * Reads a buffer back: copy to a staging buffer, map, `slice(0)`, unmap, destroy the staging buffer.
 *
 * @example
 * const bytes = await readBuffer(device, buffers, weights, 0, 4096);
 */
export async function readBuffer(device: GPUDevice, buffers: BufferManager, src: GPUBuffer, offset: number, size: number): Promise<ArrayBuffer> {
  const staging = buffers.create('staging readback', size, USAGE.MAP_READ | USAGE.COPY_DST);
  try {
    const enc = device.createCommandEncoder({ label: 'readback' });
    enc.copyBufferToBuffer(src, offset, staging, 0, Math.ceil(size / 4) * 4);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(MAP_MODE_READ, 0, Math.ceil(size / 4) * 4);
    const copy = staging.getMappedRange(0, Math.ceil(size / 4) * 4).slice(0);
    staging.unmap();
    return copy;
  } finally {
    buffers.destroy(staging);
  }
}
