// A model's whole training state as bytes: weights, biases, optimizer slots (as the backend holds
// them), the step and epoch counters and the optimizer spec they belong to. Two snapshots are
// equal only when every bit is. Shared by the Node (CPU) and browser (WebGPU) suites.
import type { MLP } from '../../src';
import type { TrainerBackend } from '../../src/core/trainer';

interface Internals {
  impl: TrainerBackend;
  progress: { epochsTrained: number; steps: number };
  optimizerKey: string;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const hex = (bytes: Uint8Array) => {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
};

/**
 * The model's state as one string: counters, then every byte of the float64 weights, biases and
 * optimizer slots in hex (states over 64 KiB as the SHA-256 of those bytes, and their count).
 */
export async function stateBytes(model: MLP): Promise<string> {
  const m = model as unknown as Internals;
  const p = await m.impl.readParams();
  const o = await m.impl.readOptimizerState();
  const arrays = [...p.weights, ...p.biases, ...(o?.layers.flatMap((l) => [...l.w, ...l.b]) ?? [])];
  const all = new Uint8Array(arrays.reduce((n, a) => n + a.byteLength, 0));
  let at = 0;
  for (const a of arrays) {
    all.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  const body = all.length <= 65536 ? hex(all) : `sha256 ${hex(new Uint8Array(await crypto.subtle.digest('SHA-256', all)))} of ${all.length} bytes`;
  return `${m.impl.name} steps=${m.progress.steps} epochs=${m.progress.epochsTrained} opt=${m.optimizerKey} slots=${o ? o.layers[0].w.length : 'none'} shapes=${arrays.map((a) => a.length).join(',')} ${body}`;
}

/** Every weight, bias and optimizer slot is finite. */
export async function stateFinite(model: MLP): Promise<boolean> {
  const m = model as unknown as Internals;
  const p = await m.impl.readParams();
  const o = await m.impl.readOptimizerState();
  return [...p.weights, ...p.biases, ...(o?.layers.flatMap((l) => [...l.w, ...l.b]) ?? [])].every((a) => a.every(Number.isFinite));
}

/** The model's optimizer step counter. */
export const stepsOf = (model: MLP): number => (model as unknown as Internals).progress.steps;
