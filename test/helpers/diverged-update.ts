// The wasm backend's divergence guard, driven the same way for each feature whose state it must
// roll back: a learning rate that overflows float32 on the second update, and the same first batch
// alone on a fresh backend, whose state the guard must leave behind.
import type { ModelConfig } from '../../src';
import { resolveOptimizer } from '../../src/core/config';
import { toInputs, toTargets } from '../../src/core/data';
import type { Params } from '../../src/core/params';
import type { Divergence, EpochPlan } from '../../src/core/trainer';
import { twins } from '../wasm-twins';

/** SGD over `rows` rows in order, batches of 9, η = 1e38: the first update stays finite (gradients below 1), the second overflows float32. */
const plan = (rows: number): EpochPlan => ({
  order: Uint32Array.from({ length: rows }, (_, i) => i), batchSize: 9, learningRate: 1e38, optimizer: resolveOptimizer('sgd'), stepsBefore: 0,
});

/**
 * Trains `config` on wasm over all of `x`, `y` in batches of 9 at η = 1e38, and again over the
 * first batch alone on a fresh backend: the first run's divergence report and state after it, and
 * the one-update run's state.
 */
export async function divergedAndFirstUpdate(config: ModelConfig, x: number[][], y: number[][]): Promise<{ divergence: Divergence | undefined; after: Params; first: Params }> {
  const t = await twins(config);
  const one = await twins(config);
  try {
    await t.wasm.setTrainingData(toInputs(x, t.net), toTargets(y, t.net, x.length), 9);
    const out = await t.wasm.trainEpochs([plan(x.length)], null);
    const after = await t.wasm.readParams();
    await one.wasm.setTrainingData(toInputs(x.slice(0, 9), t.net), toTargets(y.slice(0, 9), t.net, 9), 9);
    await one.wasm.trainEpochs([plan(9)], null);
    return { divergence: out.divergence, after, first: await one.wasm.readParams() };
  } finally {
    t.raw.dispose();
    one.raw.dispose();
  }
}
