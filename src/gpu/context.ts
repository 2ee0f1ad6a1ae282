import type { NetSpec } from '../core/config';
import type { BufferManager } from './buffers';
import type { Launches } from './kernels/launches';

/** What every part of one model's WebGPU trainer shares: the device, its buffers and launches. */
export interface GpuContext {
  readonly net: NetSpec;
  readonly device: GPUDevice;
  readonly buffers: BufferManager;
  readonly launches: Launches;
  /** Largest storage binding to use, in bytes (undefined: the device's limit). */
  readonly maxBindingBytes?: number;
  /** Throws if the backend was disposed or its device lost (called after every readback). */
  checkAlive(): void;
}
