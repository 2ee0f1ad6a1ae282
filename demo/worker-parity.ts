// The parity check: the same steps from the same seed (dropout masks included) on the float64 CPU
// path and on each float32 backend the worker can run (WebGPU, WebAssembly), and the largest
// weight difference of each from the CPU's.
import { MLP } from '../src';
import type { Float32Trainer, TrainerName } from './backend-names';
import type { ParityRun, Request, TrainOptions } from './protocol';
import { rowsOf } from './split';
import { message, post, state } from './worker-state';

/**
 * The learning rate of the parity check's one epoch: the run's schedule, except that
 * 'reduceOnPlateau' (which may watch validation data the check does not use) is its initial
 * rate, the rate it keeps through a first epoch anyway.
 */
const parityRate = (lr: TrainOptions['learningRate']): TrainOptions['learningRate'] => (typeof lr === 'object' && lr.type === 'reduceOnPlateau' ? lr.initial : lr);

const UNAVAILABLE: Record<Float32Trainer, string> = { webgpu: 'the parity check needs WebGPU, which is unavailable here', wasm: 'the parity check could not run WebAssembly here' };

interface Trained {
  params: number[];
  loss: number;
  seconds: number;
  adapter: string | null;
}

/** The rows the check trains on, and its request. */
interface Steps {
  req: Extract<Request, { type: 'parity' }>;
  x: ReturnType<typeof rowsOf>;
  y: number[] | number[][];
  batchSize: number;
}

/** One epoch of the steps on a fresh model on `backend`; null (and why, in `skipped`) when a float32 backend cannot be created. */
async function trainOn(backend: TrainerName, { req, x, y, batchSize }: Steps, skipped: string[]): Promise<Trained | null> {
  let m: MLP;
  try {
    m = await MLP.create({ ...req.config, backend });
  } catch (e) {
    if (backend === 'cpu') throw e;
    skipped.push(`${UNAVAILABLE[backend]}: ${message(e)}`);
    return null;
  }
  try {
    const t0 = performance.now();
    const h = await m.fit(x, y, { epochs: 1, batchSize, learningRate: parityRate(req.options.learningRate), optimizer: req.options.optimizer });
    const w = await m.getWeights();
    return { params: [...w.weights.flat(2), ...w.biases.flat()], loss: h.epochs[0].loss, seconds: (performance.now() - t0) / 1000, adapter: m.adapterDescription };
  } finally {
    m.dispose();
  }
}

/** The largest absolute and relative difference of `other`'s weights from the CPU's. */
function compare(cpu: number[], other: number[]): { maxWeightDiff: number; maxRelativeDiff: number } {
  let maxWeightDiff = 0;
  let maxRelativeDiff = 0;
  cpu.forEach((w, i) => {
    const diff = Math.abs(w - other[i]);
    maxWeightDiff = Math.max(maxWeightDiff, diff);
    maxRelativeDiff = Math.max(maxRelativeDiff, diff / Math.max(Math.abs(w), 1e-3));
  });
  return { maxWeightDiff, maxRelativeDiff };
}

/**
 * Trains `req.steps` batches on the CPU, on WebGPU and on wasm from the same seed and reports how
 * far each float32 backend's weights end from the CPU's; a backend that cannot run here is named
 * in `skipped`, and the check fails only when neither float32 backend ran.
 */
export async function parity(req: Extract<Request, { type: 'parity' }>): Promise<void> {
  const d = state.data;
  if (!d) throw new Error('no dataset is loaded yet');
  if (state.running) throw new Error('stop training before checking parity');
  const batchSize = Math.min(req.options.batchSize, d.x.shape[0]);
  const count = Math.min(d.x.shape[0], req.steps * batchSize);
  const steps: Steps = { req, x: rowsOf(d.x, 0, count), y: d.y.slice(0, count) as number[] | number[][], batchSize };
  const skipped: string[] = [];
  const cpu = (await trainOn('cpu', steps, skipped))!;
  const runs: ParityRun[] = [];
  for (const backend of ['webgpu', 'wasm'] as const) {
    const r = await trainOn(backend, steps, skipped);
    if (r) runs.push({ backend, ...compare(cpu.params, r.params), loss: r.loss, seconds: r.seconds, adapter: r.adapter });
  }
  if (!runs.length) throw new Error(skipped.join('; '));
  post({ type: 'parity', steps: Math.ceil(count / batchSize), batchSize, lossCpu: cpu.loss, cpuSeconds: cpu.seconds, runs, skipped });
}
