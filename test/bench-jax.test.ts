// The benchmark's jax-js peer (bench/jax.ts) trains the network ours trains: on XOR (one full
// batch, so the shuffle order cannot matter) from the same initial weights, its loss after each
// epoch matches our float64 CPU path's within float32 tolerance, and falls. Runs jax-js's wasm
// device in Node (one thread); about a second.
import { expect, it } from 'vitest';
import { MLP } from '../src';
import { jaxTrainer } from '../bench/jax';
import { workloadConfig } from '../bench/ours';
import { type TrainWorkload, trainingData, workloads } from '../bench/workloads';

it("jax-js's jitted step follows ours on XOR, epoch by epoch", async () => {
  const xor = workloads().find((w): w is TrainWorkload => w.name === 'xor')!;
  const d = trainingData(xor);
  const model = await MLP.create({ ...workloadConfig(xor, d.inputs), backend: 'cpu' });
  const history = await model.fit({ data: d.x, shape: [4, 2] }, { data: d.y, shape: [4, 1] }, { epochs: 30, batchSize: 4, learningRate: xor.learningRate, optimizer: 'sgd' });
  const ours = history.epochs.map((e) => e.loss);
  const jax = jaxTrainer(xor, 4);
  const theirs: number[] = [];
  for (let e = 0; e < 30; e++) theirs.push(await jax.epochs(1));
  jax.dispose();
  model.dispose();
  for (let e = 0; e < 30; e++) expect(Math.abs(theirs[e] - ours[e]), `epoch ${e + 1} of 30 (2-8-1, batch 4): jax-js ${theirs[e]}, ours ${ours[e]}`).toBeLessThan(1e-5);
  expect(theirs[29]).toBeLessThan(theirs[0] - 0.01);
});
