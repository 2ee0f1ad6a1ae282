/**
 * Before training: how big a network is (parameters, memory), how long an epoch should take
 * (from a calibration measured in the worker), and whether the demo lets it run: fine, a warning
 * above a comfortable size, or a refusal (with the reason) for what cannot fit in a tab.
 *
 * @example
 * const g = guard({ inputSize: 784, layers: [{ units: 128 }, { units: 10 }], optimizer: 'adam', batchSize: 64,
 *   trainRows: 54000, evalRows: 16000, backend: 'cpu', calibration: null, maxBindingBytes: null });
 * g.parameters; // 101770
 * g.level;      // 'ok'
 */
import type { TrainerName } from './backend-names';
import { fmtBytes, fmtCount, fmtDuration } from './format';

/** Training throughput measured in the worker: a fixed cost per step plus multiply-adds. */
export interface Calibration {
  backend: TrainerName;
  /** Seconds per training step that do not grow with the network (launches, bookkeeping). */
  perStepSeconds: number;
  /** Multiply-adds per second of a training step (forward and backward). */
  macsPerSecond: number;
}

/** What {@link guard} needs to know. */
export interface GuardInput {
  inputSize: number;
  layers: { units: number; norm?: string }[];
  optimizer: 'sgd' | 'momentum' | 'adam';
  batchSize: number;
  /** Rows trained on per epoch, and rows evaluated per epoch (validation and test sets). */
  trainRows: number;
  evalRows: number;
  /** The backend that will train (after 'auto' is resolved). */
  backend: TrainerName;
  calibration: Calibration | null;
  /** The WebGPU adapter's maxStorageBufferBindingSize, when training on WebGPU. */
  maxBindingBytes: number | null;
}

/** The verdict of {@link guard}. */
export interface Guard {
  parameters: number;
  /** Estimated bytes the training run allocates (model, optimizer, activations, copies). */
  bytes: number;
  /** Estimated seconds per epoch, or null before a calibration is available. */
  epochSeconds: number | null;
  level: 'ok' | 'warn' | 'refuse';
  /** Why it warns or refuses; null when fine. */
  message: string | null;
}

/** The most memory a training run may need before the demo refuses it. */
export const MEMORY_LIMIT = 2 ** 30;
/** The most a wasm32 memory can address (65536 pages of 64 KiB): the wasm backend's hard limit. */
export const WASM_MEMORY_LIMIT = 2 ** 32;
/** Above these, the demo warns. */
export const COMFORT_BYTES = 256 * 2 ** 20;
export const COMFORT_EPOCH_SECONDS = 60;

const SLOTS = { sgd: 0, momentum: 1, adam: 2 } as const;

/** Weights, biases and (for layers with `norm`) γ and β of a network with `inputSize` inputs and these layers. */
export function parameterCount(inputSize: number, layers: { units: number; norm?: string }[]): number {
  let count = 0;
  let fanIn = inputSize;
  for (const l of layers) {
    count += (fanIn + 1 + (l.norm ? 2 : 0)) * l.units;
    fanIn = l.units;
  }
  return count;
}

/** Multiply-adds of one sample's forward pass (the backward pass is about twice as many). */
export function forwardMacs(inputSize: number, layers: { units: number }[]): number {
  let macs = 0;
  let fanIn = inputSize;
  for (const l of layers) {
    macs += fanIn * l.units;
    fanIn = l.units;
  }
  return macs;
}

/**
 * Bytes the backend itself holds: weights, gradients and optimizer slots (float64 on the CPU,
 * float32 on WebGPU and wasm, which also keep a checkpoint copy), z, a and δ for one batch, and on
 * WebGPU and wasm the training and evaluation rows copied in as float32.
 */
export function backendBytes(g: GuardInput): number {
  const params = parameterCount(g.inputSize, g.layers);
  const units = g.layers.reduce((s, l) => s + l.units, 0);
  const batch = Math.max(1, Math.min(g.batchSize, g.trainRows));
  const float32 = g.backend !== 'cpu';
  const value = float32 ? 4 : 8;
  const model = params * value * (2 + SLOTS[g.optimizer] + (float32 ? 1 : 0));
  const activations = batch * (units + g.inputSize) * value * 3;
  const data = float32 ? (g.trainRows + g.evalRows) * g.inputSize * 4 : 0;
  return model + activations + data;
}

/** Bytes a run allocates: {@link backendBytes} plus two float64 copies of the weights for the page's views and the stop snapshot. */
export function memoryBytes(g: GuardInput): number {
  return backendBytes(g) + parameterCount(g.inputSize, g.layers) * 8 * 2;
}

/** Seconds per epoch from a calibration: per-step cost plus training and evaluation multiply-adds. */
export function epochSeconds(g: GuardInput, c: Calibration): number {
  const fwd = forwardMacs(g.inputSize, g.layers);
  const batches = Math.ceil(g.trainRows / Math.max(1, Math.min(g.batchSize, g.trainRows)));
  return batches * c.perStepSeconds + (g.trainRows * 3 * fwd + g.evalRows * fwd) / c.macsPerSecond;
}

/** The largest single GPU buffer binding the run needs, in bytes, and what it holds. */
function largestBinding(g: GuardInput): { bytes: number; what: string } {
  const batch = Math.max(1, Math.min(g.batchSize, g.trainRows));
  let best = { bytes: 0, what: '' };
  let fanIn = g.inputSize;
  g.layers.forEach((l, i) => {
    const w = fanIn * l.units * 4;
    if (w > best.bytes) best = { bytes: w, what: `layer ${i + 1}'s ${fanIn}×${l.units} weight matrix` };
    const a = batch * l.units * 4;
    if (a > best.bytes) best = { bytes: a, what: `layer ${i + 1}'s activations for a batch of ${batch}` };
    fanIn = l.units;
  });
  return best;
}

/** How a refusal names where the run would train, and in what precision. */
const WHERE: Record<TrainerName, string> = { webgpu: 'WebGPU, float32', wasm: 'WebAssembly, float32', cpu: 'the CPU, float64' };

/** Sizes, time per epoch and the verdict for training `g`. */
export function guard(g: GuardInput): Guard {
  const parameters = parameterCount(g.inputSize, g.layers);
  const bytes = memoryBytes(g);
  const seconds = g.calibration && g.calibration.backend === g.backend ? epochSeconds(g, g.calibration) : null;
  const verdict = (level: Guard['level'], message: string | null): Guard => ({ parameters, bytes, epochSeconds: seconds, level, message });
  if (g.trainRows < 1) return verdict('refuse', 'the validation split leaves no rows to train on; lower it');
  const where = WHERE[g.backend];
  // checked before the demo's own limit so the refusal names the harder one
  if (g.backend === 'wasm' && backendBytes(g) > WASM_MEMORY_LIMIT) {
    return verdict(
      'refuse',
      `${fmtCount(parameters)} parameters need about ${fmtBytes(backendBytes(g))} of WebAssembly memory to train on ${where}, ` +
        `more than the ${fmtBytes(WASM_MEMORY_LIMIT)} a wasm32 memory can address. Use fewer units or a smaller batch.`,
    );
  }
  if (bytes > MEMORY_LIMIT) {
    return verdict(
      'refuse',
      `${fmtCount(parameters)} parameters need about ${fmtBytes(bytes)} to train on ${where} (weights, gradients, ${g.optimizer} state, activations and copies); ` +
        `the demo refuses more than ${fmtBytes(MEMORY_LIMIT)}, which a browser tab cannot be counted on to have. Use fewer units or a smaller batch.`,
    );
  }
  if (g.backend === 'webgpu' && g.maxBindingBytes !== null) {
    const big = largestBinding(g);
    if (big.bytes > g.maxBindingBytes) {
      return verdict('refuse', `${big.what} needs ${fmtBytes(big.bytes)} in one GPU buffer, more than this adapter's limit of ${fmtBytes(g.maxBindingBytes)}`);
    }
  }
  const warnings: string[] = [];
  if (bytes > COMFORT_BYTES) warnings.push(`it needs about ${fmtBytes(bytes)} of memory`);
  if (seconds !== null && seconds > COMFORT_EPOCH_SECONDS) warnings.push(`an epoch should take about ${fmtDuration(seconds)}`);
  if (warnings.length) return verdict('warn', `A large run: ${warnings.join(' and ')}. Stop works at any time.`);
  return verdict('ok', null);
}
