// jax-js (npm @jax-js/jax) doing the same work as our systems and TensorFlow.js: its idiomatic
// training step, as its MNIST example writes it: `jit` of `valueAndGrad` of the loss plus the
// parameter update (Adam or SGD written in jax.numpy inside the jitted function), on its 'wasm'
// or 'webgpu' device. Same network, data, initial weights (ours, from the workload's config and
// seed), batch size, optimizer, learning rate and shuffling every epoch as ours.
//
// Its wasm device runs kernels on a worker pool (navigator.hardwareConcurrency workers sharing one
// memory) wherever SharedArrayBuffer exists, that is in a cross-origin-isolated page; in a plain
// page it runs on one thread. There is no option to choose: the page decides.
import { type Array as JaxArray, type Device, blockUntilReady, defaultDevice, init, jit, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { resolveConfig } from '../src/core/config';
import { initParams } from '../src/core/params';
import { Rng } from '../src/core/random';
import { type Prepared, type SystemInfo, workloadConfig } from './ours';
import { type TrainWorkload, trainingData } from './workloads';

/** A jax-js device the benchmark runs. */
export type JaxDevice = Extract<Device, 'wasm' | 'webgpu'>;

type Params = { w: JaxArray[]; b: JaxArray[] };
type AdamState = { m: Params; v: Params };

// the optimizer's constants, as ours and TF.js default them
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** How jax-js's wasm device runs in this page: on a pool of worker threads (where SharedArrayBuffer exists, as jax-js checks) or on one. */
export function jaxWasmThreads(): string {
  const pool = typeof SharedArrayBuffer !== 'undefined' && typeof Worker !== 'undefined';
  return pool ? `a pool of ${typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : '?'} worker threads` : 'one thread';
}

const started = new Map<JaxDevice, Promise<Device[]>>();

/** Starts jax-js's `device` (once per page) and makes it the default; throws if the page lacks it. */
async function useDevice(device: JaxDevice): Promise<void> {
  if (!started.has(device)) started.set(device, init(device));
  if (!(await started.get(device))!.includes(device)) throw new Error(`jax-js could not start its '${device}' device`);
  defaultDevice(device);
}

/** The workload's initial parameters, ours (same config and seed), as float32 jax arrays. */
function initialParams(w: TrainWorkload, inputs: number): Params {
  const p = initParams(resolveConfig(workloadConfig(w, inputs)));
  const sizes = w.sizes;
  return {
    w: p.weights.map((x, l) => np.array(Float32Array.from(x)).reshape([sizes[l], sizes[l + 1]])),
    b: p.biases.map((x) => np.array(Float32Array.from(x))),
  };
}

/** Mean loss over the batch, from the forward pass (per sample as ours: MSE divides by the outputs). */
function lossOf(w: TrainWorkload) {
  const hidden = w.activation === 'relu' ? nn.relu : w.activation === 'tanh' ? np.tanh : nn.sigmoid;
  const outputs = w.sizes[w.sizes.length - 1];
  return (p: Params, x: JaxArray, y: JaxArray): JaxArray => {
    const rows = x.shape[0];
    let a = x;
    for (let l = 0; l < p.w.length; l++) {
      const z = np.dot(a, p.w[l]).add(p.b[l]);
      if (l < p.w.length - 1) a = hidden(z);
      else if (w.loss === 'categoricalCrossEntropy') return nn.logSoftmax(z).mul(y).sum().mul(-1 / rows);
      else a = (w.output ?? w.activation) === 'relu' ? nn.relu(z) : nn.sigmoid(z);
    }
    return np.square(a.sub(y)).sum().mul(1 / (rows * outputs));
  };
}

/**
 * One training step, jitted: the batch gathered by row indices, `valueAndGrad` of the loss, and
 * the update. Adam takes the step's bias corrections folded into `lrT` and `epsT`
 * (η·√(1−β₂ᵗ)/(1−β₁ᵗ) and ε·√(1−β₂ᵗ), which is ours θ −= η·m̂/(√v̂ + ε) exactly).
 */
function stepOf(w: TrainWorkload) {
  const loss = lossOf(w);
  if (w.optimizer === 'adam') {
    return jit((p: Params, s: AdamState, x: JaxArray, y: JaxArray, rows: JaxArray, lrT: JaxArray, epsT: JaxArray) => {
      const [value, g] = valueAndGrad(loss)(tree.ref(p), x.slice(rows.ref), y.slice(rows));
      const m = tree.map((mi: JaxArray, gi: JaxArray) => mi.mul(BETA1).add(gi.mul(1 - BETA1)), s.m, tree.ref(g));
      const v = tree.map((vi: JaxArray, gi: JaxArray) => vi.mul(BETA2).add(np.square(gi).mul(1 - BETA2)), s.v, g);
      const next = tree.map((pi: JaxArray, mi: JaxArray, vi: JaxArray) => pi.sub(mi.mul(lrT.ref).div(np.sqrt(vi).add(epsT.ref))), p, tree.ref(m), tree.ref(v));
      lrT.dispose();
      epsT.dispose();
      return [value, next, { m, v }] as [JaxArray, Params, AdamState];
    });
  }
  return jit((p: Params, s: AdamState, x: JaxArray, y: JaxArray, rows: JaxArray, lrT: JaxArray, epsT: JaxArray) => {
    const [value, g] = valueAndGrad(loss)(tree.ref(p), x.slice(rows.ref), y.slice(rows));
    const next = tree.map((pi: JaxArray, gi: JaxArray) => pi.sub(gi.mul(lrT.ref)), p, g);
    lrT.dispose();
    epsT.dispose();
    return [value, next, s] as [JaxArray, Params, AdamState];
  });
}

/**
 * A jax-js trainer on workload `w` over its first `rowsUsed` rows, on the default device:
 * `epochs(n)` trains n epochs and returns the last epoch's loss (the mean of its steps', as ours
 * and TF.js report it); `dispose()` frees its arrays.
 *
 * @example
 * const t = jaxTrainer(xor, 4);
 * const loss = await t.epochs(10);
 */
export function jaxTrainer(w: TrainWorkload, rowsUsed: number): { epochs(n: number): Promise<number>; dispose(): void } {
  const d = trainingData(w);
  const x = np.array(d.x.subarray(0, rowsUsed * d.inputs)).reshape([rowsUsed, d.inputs]);
  const y = np.array(d.y.subarray(0, rowsUsed * d.outputs)).reshape([rowsUsed, d.outputs]);
  let params = initialParams(w, d.inputs);
  let state: AdamState = { m: tree.map((a: JaxArray) => np.zeros(a.shape), params), v: tree.map((a: JaxArray) => np.zeros(a.shape), params) };
  const step = stepOf(w);
  const rng = new Rng(5, `jax ${w.name}`);
  let t = 0;
  const epochs = async (n: number): Promise<number> => {
    let epochLosses: JaxArray[] = [];
    for (let e = 0; e < n; e++) {
      tree.dispose(epochLosses);
      epochLosses = [];
      const order = Int32Array.from({ length: rowsUsed }, (_, i) => i);
      for (let i = rowsUsed - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let start = 0; start < rowsUsed; start += w.batchSize) {
        t++;
        const c2 = Math.sqrt(1 - BETA2 ** t);
        const [lrT, epsT] = w.optimizer === 'adam' ? [(w.learningRate * c2) / (1 - BETA1 ** t), EPSILON * c2] : [w.learningRate, 0];
        const rows = np.array(order.subarray(start, start + w.batchSize), { dtype: np.int32 });
        let loss: JaxArray;
        [loss, params, state] = step(params, state, x.ref, y.ref, rows, lrT, epsT);
        epochLosses.push(loss);
      }
      // wait for the epoch's work, as a fit waits for its epoch's loss (jax-js asks for a wait every so often)
      await blockUntilReady(params);
    }
    const values = await Promise.all(epochLosses.map(async (l) => Number((await l.data())[0])));
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  const dispose = () => {
    tree.dispose([params, state, x, y]);
    step.dispose();
  };
  return { epochs, dispose };
}

/**
 * jax-js on `device` for workload `w`: the time to its first step (new parameters and a new jitted
 * step, one batch), the warm-up epoch, then timed repetitions of `w.epochs` epochs. `info` holds
 * the loss after the warm-up epoch and after each repetition (it must fall, as ours does).
 *
 * @example
 * const p = await prepareJaxTraining(workloads().find((w) => w.name === 'xor')!, 'wasm');
 * const seconds = await p.rep();
 */
export async function prepareJaxTraining(w: TrainWorkload, device: JaxDevice): Promise<Prepared> {
  await useDevice(device);
  const t0 = performance.now();
  const probe = jaxTrainer(w, Math.min(w.batchSize, w.samples));
  await probe.epochs(1);
  const firstStepSeconds = (performance.now() - t0) / 1000;
  probe.dispose();
  const trainer = jaxTrainer(w, w.samples);
  const losses = [await trainer.epochs(1)];
  const info: SystemInfo = { firstStepSeconds, backend: device === 'wasm' ? `wasm, ${jaxWasmThreads()}` : device, losses };
  return {
    info,
    rep: async () => {
      defaultDevice(device);
      const start = performance.now();
      const loss = await trainer.epochs(w.epochs);
      const seconds = (performance.now() - start) / 1000;
      losses.push(loss);
      return seconds;
    },
    dispose: trainer.dispose,
  };
}
