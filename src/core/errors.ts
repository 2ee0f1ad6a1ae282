/**
 * Errors the WebGPU path throws, in one place.
 *
 * @example
 * try { await model.fit(x, y); } catch (e) { if (e instanceof GpuDeviceLostError) console.log('GPU lost:', e.message); }
 */

/**
 * Thrown when the GPU device was lost (driver reset, `device.destroy()`, tab backgrounded…).
 *
 * @example
 * await model.fit(x, y).catch((e) => e instanceof GpuDeviceLostError && console.log(e.message));
 */
export class GpuDeviceLostError extends Error {
  constructor(reason: string) {
    super(`the WebGPU device was lost: ${reason}`);
    this.name = 'GpuDeviceLostError';
  }
}

/**
 * Thrown when a disposed WebGPU backend is used.
 *
 * @example
 * if (e instanceof GpuDisposedError) console.log('the model was disposed');
 */
export class GpuDisposedError extends Error {
  constructor() {
    super('the WebGPU backend was disposed');
    this.name = 'GpuDisposedError';
  }
}
