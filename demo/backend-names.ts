// The three backends a model trains on: their type, and how the page names them in sentences
// and on the pill.
import type { TrainerName } from '../src';

export type { TrainerName };

/** A float32 backend, which the parity check compares with the float64 CPU path. */
export type Float32Trainer = Exclude<TrainerName, 'cpu'>;

const SENTENCE: Record<TrainerName, string> = { webgpu: 'WebGPU', wasm: 'WebAssembly (wasm)', cpu: 'the CPU (float64)' };
const PILL: Record<TrainerName, string> = { webgpu: 'WebGPU', wasm: 'WASM', cpu: 'CPU' };

/**
 * The backend as a sentence names it ("Trained 3 epoch(s) on …").
 *
 * @example
 * backendName('wasm'); // 'WebAssembly (wasm)'
 */
export const backendName = (b: TrainerName): string => SENTENCE[b];

/**
 * The backend's short label on the model's pill.
 *
 * @example
 * backendPill('wasm'); // 'WASM'
 */
export const backendPill = (b: TrainerName): string => PILL[b];
