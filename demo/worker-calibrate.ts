// The calibration behind the editor's "≈ … per epoch": two short training runs on a backend, one
// of a tiny network (its time per step is the fixed cost) and one of a 256-256-16 network (the
// rest of its time per step is multiply-adds), measured with the library's own fit.
import { MLP, Rng } from '../src';
import type { TrainerName } from './backend-names';
import type { Calibration } from './guards';

/** The networks timed: a tiny one for the per-step cost and a wider one for the throughput. */
const TINY = { inputSize: 2, units: [4, 1], rows: 4, batch: 4, epochs: 40 };
const WIDE = { inputSize: 256, units: [256, 16], rows: 512, batch: 128, epochs: 2 };

/** Seconds per training step of a network shaped like `spec` on `backend`, after one warm-up epoch. */
async function secondsPerStep(backend: TrainerName, spec: typeof TINY): Promise<number> {
  const rng = new Rng(7, 'calibration');
  const x = new Float32Array(spec.rows * spec.inputSize).map(() => rng.next());
  const classes = spec.units[spec.units.length - 1];
  const single = classes === 1;
  const y = Array.from({ length: spec.rows }, () => rng.int(single ? 2 : classes));
  const model = await MLP.create({
    inputSize: spec.inputSize,
    layers: [
      { units: spec.units[0], activation: 'relu' },
      { units: classes, activation: single ? 'sigmoid' : 'softmax' },
    ],
    loss: single ? 'binaryCrossEntropy' : 'categoricalCrossEntropy',
    backend,
    seed: 1,
  });
  try {
    const data = { data: x, shape: [spec.rows, spec.inputSize] as [number, number] };
    const options = { batchSize: spec.batch, learningRate: 0.01, optimizer: 'adam' as const };
    await model.fit(data, y, { ...options, epochs: 1 });
    const t0 = performance.now();
    await model.fit(data, y, { ...options, epochs: spec.epochs });
    const steps = spec.epochs * Math.ceil(spec.rows / spec.batch);
    return (performance.now() - t0) / 1000 / steps;
  } finally {
    model.dispose();
  }
}

/**
 * Measures `backend`'s fixed cost per training step and its multiply-adds per second.
 *
 * @example
 * const c = await calibrate('cpu'); // { backend: 'cpu', perStepSeconds: 2e-5, macsPerSecond: 8e8 }
 */
export async function calibrate(backend: TrainerName): Promise<Calibration> {
  const tiny = await secondsPerStep(backend, TINY);
  const wide = await secondsPerStep(backend, WIDE);
  const macsPerStep = WIDE.batch * 3 * (WIDE.inputSize * WIDE.units[0] + WIDE.units[0] * WIDE.units[1]);
  // the wide step's time beyond the fixed cost is its arithmetic (never less than a tenth of it)
  const arithmetic = Math.max(wide - tiny, wide / 10);
  return { backend, perStepSeconds: tiny, macsPerSecond: macsPerStep / arithmetic };
}
