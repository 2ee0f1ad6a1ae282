// 'auto' against 'wasm' on the demo's network in one page, fit by fit: three models (backend
// 'wasm'; 'auto' with the batch-size hint, deciding at create; 'auto' as MLP.create makes it,
// starting on wasm) each train one epoch in turn, so that anything else in the page or on the
// machine falls on all three alike. The page side of bench/auto-ab.mjs, which prints the times.
import { MLP } from '../src';
import { type TrainWorkload, trainingData, workloads } from './workloads';
import { workloadConfig } from './ours';

/**
 * Milliseconds of each one-epoch fit of `mlp-demo` (after one untimed epoch), `rounds` each,
 * alternating the three models; one line per model with its backend and reason.
 *
 * @example
 * const lines = await session.run('/bench/auto-ab.ts', 'autoAgainstWasm', 6);
 */
export async function autoAgainstWasm(rounds: number): Promise<string[]> {
  const w = workloads().find((x) => x.name === 'mlp-demo') as TrainWorkload;
  const d = trainingData(w);
  const x = { data: d.x, shape: [w.samples, d.inputs] as [number, number] };
  const y = { data: d.y, shape: [w.samples, d.outputs] as [number, number] };
  const fit = { batchSize: w.batchSize, learningRate: w.learningRate, optimizer: w.optimizer ?? ('sgd' as const), shuffle: true, epochs: 1 };
  const config = workloadConfig(w, d.inputs);
  const models: [string, MLP][] = [
    ['wasm', await MLP.create({ ...config, backend: 'wasm' })],
    ['auto, batch-size hint', await MLP.create({ ...config, backend: 'auto' }, { auto: { batchSize: w.batchSize } })],
    ['auto', await MLP.create({ ...config, backend: 'auto' })],
  ];
  try {
    for (const [, m] of models) await m.fit(x, y, fit);
    const times = models.map((): number[] => []);
    for (let r = 0; r < rounds; r++) {
      for (const [k, [, m]] of models.entries()) {
        const t0 = performance.now();
        await m.fit(x, y, fit);
        times[k].push(performance.now() - t0);
      }
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    return models.map(([name, m], k) => `${name}: on ${m.backend}, median ${median(times[k]).toFixed(1)} ms an epoch (${times[k].map((t) => t.toFixed(1)).join(', ')}); ${m.backendReason}`);
  } finally {
    for (const [, m] of models) m.dispose();
  }
}
