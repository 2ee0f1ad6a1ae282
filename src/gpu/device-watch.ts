/** Something told when its device is lost. */
export interface LossListener {
  markLost(reason: string): void;
}

/**
 * The listeners alive on each device, watched through one `device.lost` handler per device. A
 * listener that leaves its set is no longer reachable from a shared device.
 */
const alive = new WeakMap<GPUDevice, Set<LossListener>>();

/**
 * Tells `listener` (once) the reason `device` was lost, until {@link unwatchDevice}.
 *
 * @example
 * watchDevice(device, backend); // backend.markLost('destroyed') when the device goes
 */
export function watchDevice(device: GPUDevice, listener: LossListener): void {
  let set = alive.get(device);
  if (!set) {
    const members = new Set<LossListener>();
    set = members;
    alive.set(device, members);
    device.lost.then((info) => {
      const reason = (info.message || info.reason || 'unknown').replace(/\.\s*$/, '');
      for (const b of members) b.markLost(reason);
    });
  }
  set.add(listener);
}

/** Stops telling `listener` about `device`. */
export function unwatchDevice(device: GPUDevice, listener: LossListener): void {
  alive.get(device)?.delete(listener);
}
