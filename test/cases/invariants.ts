// Scenarios behind the "never non-finite state" and "one loss" guarantees, run on either backend
// (the Node test runs them on the CPU, the browser suite on WebGPU). Each returns its failures
// (empty when it passes) and a report of what it saw.
import type { MLP as MLPClass, ModelConfig } from '../../src';
import { stateBytes, stateFinite, stepsOf } from './state';

type MLPStatic = typeof MLPClass;
type Backend = 'cpu' | 'webgpu';
export interface Outcome {
  failures: string[];
  report: Record<string, unknown>;
}

/** State bytes without the epoch counter and optimizer spec (a replay reaches the same weights by another path). */
const core = (s: string) => s.replace(/ epochs=\d+ opt=\S*/, '');
const make = (MLP: MLPStatic, config: ModelConfig, backend: Backend, device?: GPUDevice) => MLP.create({ ...config, backend }, device ? { device } : {});
const messageOf = async (p: Promise<unknown>) => p.then(() => '', (e: Error) => `${e.name}: ${e.message}`);

const regression: ModelConfig = { inputSize: 2, layers: [{ units: 3, activation: 'linear' }, { units: 1, activation: 'linear' }], loss: 'mse', seed: 2 };
const goodX = [[0.5, -1], [1, 0.25], [-0.5, 0.5], [0.25, 1]];
const goodY = [[1], [0], [0.5], [-1]];
const adam = { epochs: 2, batchSize: 2, learningRate: 0.05, optimizer: 'adam' as const, shuffle: false };

/**
 * A first batch whose loss is not finite before any update (huge inputs) is blamed on the data,
 * leaves the state byte-identical (also when the call switched optimizer), does not move the step
 * counter, and a following Adam fit lands exactly where a model that never saw the bad call lands.
 */
export async function firstBatchBlamedOnData(MLP: MLPStatic, backend: Backend, device?: GPUDevice): Promise<Outcome> {
  const failures: string[] = [];
  const big = backend === 'cpu' ? 1e200 : 1e30;
  const m = await make(MLP, regression, backend, device);
  const ref = await make(MLP, regression, backend, device);
  await m.fit(goodX, goodY, adam);
  await ref.fit(goodX, goodY, adam);
  const before = await stateBytes(m);
  const steps = stepsOf(m);
  const badX = [[big, 1], ...goodX.slice(1)];
  const sameOptimizer = await messageOf(m.fit(badX, goodY, adam));
  if (!/^RangeError: the loss is (Infinity|NaN) at epoch 1, batch 1 of 2, measured before any update of this fit, so the learning rate is not the cause/.test(sameOptimizer)) failures.push(`same optimizer: ${sameOptimizer}`);
  if (!new RegExp(`the training data reaches \\|x\\| = ${String(big).replace('+', '\\+')}`).test(sameOptimizer)) failures.push(`the message does not name |x| = ${big}: ${sameOptimizer}`);
  if ((await stateBytes(m)) !== before) failures.push('state changed after the same-optimizer rejection');
  const otherOptimizer = await messageOf(m.fit(badX, goodY, { ...adam, optimizer: 'momentum' }));
  if (!/measured before any update/.test(otherOptimizer)) failures.push(`optimizer switch: ${otherOptimizer}`);
  if ((await stateBytes(m)) !== before) failures.push('state changed after the rejection that switched optimizer (Adam slots, steps or spec lost)');
  if (stepsOf(m) !== steps) failures.push(`step counter ${stepsOf(m)}, expected ${steps}`);
  await m.fit(goodX, goodY, adam);
  await ref.fit(goodX, goodY, adam);
  if (!(await stateFinite(m))) failures.push('the next Adam fit produced non-finite state');
  if (core(await stateBytes(m)) !== core(await stateBytes(ref))) failures.push('the next Adam fit differs from a model that never saw the bad calls');
  const report = { sameOptimizer, otherOptimizer, steps: stepsOf(m) };
  m.dispose();
  ref.dispose();
  return { failures, report };
}

const bigTargets: ModelConfig = { inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'linear' }], loss: 'mse', seed: 5 };
const bigY = [[1000], [-1000], [500], [-500]];

/**
 * The very last update of a fit overflows (the loss before it was finite, and nothing measures a
 * loss after it): fit rejects naming that update, and the state is byte-identical to the one
 * before it.
 */
export async function lastStepDivergence(MLP: MLPStatic, backend: Backend, device?: GPUDevice): Promise<Outcome> {
  const failures: string[] = [];
  const m = await make(MLP, bigTargets, backend, device);
  const base = { batchSize: 4, shuffle: false, optimizer: 'momentum' as const };
  await m.fit(goodX, bigY, { ...base, epochs: 3, learningRate: 1e-4 });
  const before = await stateBytes(m);
  const message = await messageOf(m.fit(goodX, bigY, { ...base, epochs: 1, learningRate: backend === 'cpu' ? 1e307 : 1e37 }));
  const expected = new RegExp(`^RangeError: training diverged: the update of epoch 1, batch 1 of 1 made the weights or optimizer state non-finite${backend === 'webgpu' ? ' in float32' : ''}; .* \\(step 3 of this optimizer\\)`);
  if (!expected.test(message)) failures.push(`message: ${message}`);
  if ((await stateBytes(m)) !== before) failures.push('state differs from the state before the diverging update');
  m.dispose();
  return { failures, report: { message } };
}

/**
 * Full-batch training with a learning rate that blows the weights up, with and without per-epoch
 * callbacks (one submission per epoch, or many epochs per submission on WebGPU): fit rejects,
 * every value it keeps is finite, and the state is byte-identical to a fresh model trained for the
 * number of steps kept.
 */
export async function rollbackMatchesReplay(MLP: MLPStatic, backend: Backend, device?: GPUDevice): Promise<Outcome> {
  const failures: string[] = [];
  const report: Record<string, unknown> = {};
  const configs: [string, ModelConfig, number[][], number][] = [
    ['relu/linear, mse', { inputSize: 3, layers: [{ units: 8, activation: 'relu' }, { units: 1, activation: 'linear' }], loss: 'mse', seed: 3 }, [[2], [-1], [0.5], [1]], 3],
    ['tanh/sigmoid, binary cross-entropy (outputs saturate, the loss stays finite)', { inputSize: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', seed: 7 }, [[1], [0], [0], [1]], backend === 'cpu' ? 1e308 : 3e38],
  ];
  const x = [[1, 2, -1], [0.5, -2, 1], [-1, 1, 2], [2, 0.5, -0.5]];
  for (const [name, config, y, learningRate] of configs) {
    for (const callbacks of [false, true]) {
      const opts = { batchSize: 4, shuffle: false, optimizer: 'momentum' as const, learningRate };
      const m = await make(MLP, config, backend, device);
      const message = await messageOf(m.fit(x, y, { ...opts, epochs: 200, onEpochEnd: callbacks ? () => {} : undefined }));
      const kept = stepsOf(m);
      const key = `${name}${callbacks ? ', onEpochEnd' : ''}`;
      report[key] = `${kept} steps kept; ${message}`;
      if (!/^RangeError: training diverged/.test(message)) failures.push(`${key}: ${message || 'no divergence'}`);
      if (!(await stateFinite(m))) failures.push(`${key}: non-finite state kept`);
      const fresh = await make(MLP, config, backend, device);
      if (kept > 0) await fresh.fit(x, y, { ...opts, epochs: kept });
      if (core(await stateBytes(fresh)) !== core(await stateBytes(m))) failures.push(`${key}: the state differs from a fresh model trained ${kept} steps`);
      m.dispose();
      fresh.dispose();
    }
  }
  return { failures, report };
}

/**
 * onBatchEnd fires once per batch, in order, for every batch count 1…`max` (one and two epochs);
 * an abort at a readback-group edge (`group`) stops exactly there on both backends; an already
 * aborted signal trains nothing.
 */
export async function batchCallbacks(MLP: MLPStatic, backend: Backend, group: number, max: number, device?: GPUDevice): Promise<Outcome> {
  const failures: string[] = [];
  const config: ModelConfig = { inputSize: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 1 };
  const m = await make(MLP, config, backend, device);
  const rows = (n: number) => Array.from({ length: n }, (_, i) => [Math.sin(i), Math.cos(i * 0.7)]);
  const labels = (n: number) => Array.from({ length: n }, (_, i) => i % 2);
  for (let n = 1; n <= max; n++) {
    const seen: string[] = [];
    await m.fit(rows(n), labels(n), { epochs: 2, batchSize: 1, learningRate: 0.01, onBatchEnd: (l) => void seen.push(`${l.epoch}.${l.batch}/${l.batches}`) });
    const want = [1, 2].flatMap((e) => Array.from({ length: n }, (_, b) => `${e}.${b + 1}/${n}`));
    if (seen.join() !== want.join()) failures.push(`${n} batches: onBatchEnd saw ${seen.length} calls (${seen.slice(0, 3).join(', ')}…), expected ${want.length}`);
  }
  const edges: Record<string, unknown> = {};
  for (const n of [group, group + 1, 2 * group, 2 * group + 1, max]) {
    for (const at of [1, group, 2 * group]) {
      if (at > n) continue;
      const ctl = new AbortController();
      const seen: number[] = [];
      const fresh = await make(MLP, config, backend, device);
      const h = await fresh.fit(rows(n), labels(n), { epochs: 2, batchSize: 1, learningRate: 0.01, signal: ctl.signal, onBatchEnd: (l) => { seen.push(l.batch); if (l.epoch === 1 && l.batch === at) ctl.abort(); } });
      // the CPU stops after the batch that aborted; WebGPU after the group holding it
      const expected = backend === 'cpu' || at % group === 0 ? at : Math.min(n, Math.ceil(at / group) * group);
      edges[`${n}@${at}`] = seen.length;
      if (seen.length !== expected || stepsOf(fresh) !== expected || !h.stopped) failures.push(`${n} batches, abort at ${at}: ${seen.length} calls, ${stepsOf(fresh)} steps, stopped ${h.stopped}; expected ${expected}`);
      fresh.dispose();
    }
  }
  const before = await stateBytes(m);
  const aborted = AbortSignal.abort();
  let calls = 0;
  const h = await m.fit(rows(5), labels(5), { epochs: 3, signal: aborted, onBatchEnd: () => void calls++ });
  if (!h.stopped || calls !== 0 || h.epochs.length !== 0 || (await stateBytes(m)) !== before) failures.push('an already aborted signal trained something');
  m.dispose();
  return { failures, report: { edges } };
}

/**
 * One loss: the epoch loss, each batch's loss, `valLoss` and `evaluate().loss` all include
 * λ/(2m)·ΣW², and agree on the same weights.
 */
export async function oneLoss(MLP: MLPStatic, backend: Backend, rtol: number, device?: GPUDevice): Promise<Outcome> {
  const failures: string[] = [];
  const config: ModelConfig = { inputSize: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 8, l2: 0.3 };
  const x = [[0.5, -1], [1, 0.25], [-0.5, 0.5], [0.25, 1], [1, 1], [-1, -0.5]];
  const y = [0, 1, 1, 0, 1, 0];
  const close = (a: number, b: number) => Math.abs(a - b) <= rtol * Math.max(1, Math.abs(b));
  const m = await make(MLP, config, backend, device);
  const before = await m.evaluate(x, y);
  const noL2 = await make(MLP, { ...config, l2: 0 }, backend, device);
  const dataOnly = (await noL2.evaluate(x, y)).loss;
  noL2.dispose();
  const w = await m.getWeights();
  const sumSq = w.weights.flat(2).reduce((s, v) => s + v * v, 0);
  const penalty = (0.3 / (2 * x.length)) * sumSq;
  if (!close(before.loss, dataOnly + penalty)) failures.push(`evaluate().loss ${before.loss} is not the data loss ${dataOnly} + λ/(2m)·ΣW² ${penalty}`);
  const firstBatch = await m.evaluate(x.slice(0, 2), y.slice(0, 2));
  let batchLoss = NaN;
  let valLoss = NaN;
  let valAfter = NaN;
  const h = await m.fit(x, y, {
    epochs: 1, batchSize: 6, learningRate: 0.1, shuffle: false, validationData: [x.slice(0, 3), y.slice(0, 3)],
    onEpochEnd: async (log) => {
      valLoss = log.valLoss!;
      valAfter = (await m.evaluate(x.slice(0, 3), y.slice(0, 3))).loss;
    },
  });
  if (!close(h.epochs[0].loss, before.loss)) failures.push(`full-batch epoch loss ${h.epochs[0].loss} differs from evaluate() on the same weights ${before.loss}`);
  if (!close(valLoss, valAfter)) failures.push(`valLoss ${valLoss} differs from evaluate() on the validation data ${valAfter}`);
  const m2 = await make(MLP, config, backend, device);
  await m2.fit(x, y, { epochs: 1, batchSize: 2, learningRate: 0.1, shuffle: false, onBatchEnd: (l) => void (l.batch === 1 && (batchLoss = l.loss)) });
  if (!close(batchLoss, firstBatch.loss)) failures.push(`batch 1 loss ${batchLoss} differs from evaluate() of its rows on the same weights ${firstBatch.loss}`);
  m.dispose();
  m2.dispose();
  return { failures, report: { evaluate: before.loss, dataOnly, penalty, epoch: h.epochs[0].loss, batchLoss, firstBatch: firstBatch.loss, valLoss, valAfter } };
}

/**
 * onBatchEnd throwing at batch 3: fit rejects with that error, the three updates are kept and
 * counted, and the state is finite and byte-identical to a model trained exactly three steps.
 */
export async function throwingCallback(MLP: MLPStatic, backend: Backend, device?: GPUDevice): Promise<Outcome> {
  const failures: string[] = [];
  const opts = { batchSize: 1, learningRate: 0.05, optimizer: 'adam' as const, shuffle: false };
  const m = await make(MLP, regression, backend, device);
  const message = await messageOf(m.fit(goodX, goodY, { ...opts, epochs: 3, onBatchEnd: (l) => { if (l.batch === 3) throw new Error('stop at 3'); } }));
  if (message !== 'Error: stop at 3') failures.push(`message: ${message}`);
  const kept = stepsOf(m);
  const ref = await make(MLP, regression, backend, device);
  const ctl = new AbortController();
  await ref.fit(goodX, goodY, { ...opts, epochs: 3, signal: ctl.signal, onBatchEnd: (l) => void (l.batch === kept && ctl.abort()) });
  if (core(await stateBytes(m)) !== core(await stateBytes(ref))) failures.push(`state after the throw (${kept} steps) differs from a model stopped after ${stepsOf(ref)} steps`);
  m.dispose();
  ref.dispose();
  return { failures, report: { message, kept } };
}

/** `model.config` is a frozen copy: changing it throws (strict mode) and changes nothing. */
export async function frozenConfig(MLP: MLPStatic, backend: Backend, device?: GPUDevice): Promise<Outcome> {
  const failures: string[] = [];
  const m = await make(MLP, regression, backend, device);
  const attempts: [string, () => void][] = [
    ['config.l2', () => void ((m.config as { l2: number }).l2 = 5)],
    ['config.layers[0].units', () => void ((m.config.layers[0] as { units: number }).units = 99)],
    ['config.layers.push', () => void (m.config.layers as unknown[]).push({ units: 1, activation: 'linear' })],
    ['config.initializer.type', () => void ((m.config.initializer as { type: string }).type = 'he')],
  ];
  for (const [what, change] of attempts) {
    try {
      change();
      failures.push(`${what} could be changed`);
    } catch (e) {
      if (!(e instanceof TypeError)) failures.push(`${what}: ${String(e)}`);
    }
  }
  await m.fit(goodX, goodY, { epochs: 1 });
  if (m.config.layers[0].units !== 3 || m.config.l2 !== 0 || !Object.isFrozen(m.config.layers)) failures.push('config changed');
  m.dispose();
  return { failures, report: {} };
}
