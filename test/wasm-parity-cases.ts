// The wasm backend's parity matrix, shared by the Node test (test/wasm-parity.test.ts) and the
// headless-Chromium one (test/wasm.browser.test.ts): whole training runs on wasm (float32)
// against the float64 CPU backend, both driven by the fit loop from the same parameters and
// data — the WebGPU parity matrix (every training feature), every hidden activation × output and
// loss × optimizer, and odd shapes. Each case returns its differences beyond the float32 allowance.
import type { Activation, FitOptions, LossName, ModelConfig, OptimizerSpec } from '../src/core/types';
import { toInputs } from '../src/core/data';
import { parityCases } from './browser/suites/parity-cases';
import { NORM_PARITY_CASES } from './browser/suites/norm-cases';
import { BATCH_NORM_PARITY_CASES } from './browser/suites/batch-norm-cases';
import { caseData, differences, fitHost, fitOn, flatParams, stepTolerance, twins } from './wasm-twins';

/** Trains `config` on both backends to each checkpoint (cumulative epochs) and lists every difference beyond the float32 allowance. */
export async function parity(name: string, config: ModelConfig, rows: number, fit: Omit<FitOptions, 'epochs'>, checkpoints: number[], threads = 1): Promise<string[]> {
  const t = await twins(config, threads);
  const hosts = { cpu: fitHost(t.cpu, t.net), wasm: fitHost(t.wasm, t.net) };
  const { x, y } = caseData(config, rows, name);
  const batches = Math.ceil(rows / Math.min(fit.batchSize ?? 32, rows));
  const failures: string[] = [];
  let done = 0;
  for (const target of checkpoints) {
    const hc = await fitOn(hosts.cpu, x, y, { ...fit, epochs: target - done });
    const hw = await fitOn(hosts.wasm, x, y, { ...fit, epochs: target - done });
    done = target;
    const steps = target * batches;
    const tol = stepTolerance(steps);
    const [pc, pw] = [await t.cpu.readParams(), await t.wasm.readParams()];
    failures.push(...differences(`${name}: parameters after ${steps} steps`, flatParams(pc), flatParams(pw), tol));
    const [lc, lw] = [hc.epochs.at(-1)!, hw.epochs.at(-1)!];
    if (!(Math.abs(lc.loss - lw.loss) <= 1e-3 * Math.max(1, Math.abs(lc.loss)))) failures.push(`${name}: epoch ${target} loss cpu ${lc.loss}, wasm ${lw.loss}`);
    if (lc.accuracy !== lw.accuracy && Math.abs(lc.accuracy - lw.accuracy) > 1.5 / rows) failures.push(`${name}: epoch ${target} accuracy cpu ${lc.accuracy}, wasm ${lw.accuracy}`);
    if (lc.mae !== undefined && !(Math.abs(lc.mae - lw.mae!) <= 1e-4 * Math.max(1, lc.mae))) failures.push(`${name}: epoch ${target} mae cpu ${lc.mae}, wasm ${lw.mae}`);
  }
  // predict and evaluate on the trained weights
  const xd = toInputs(x, t.net);
  failures.push(...differences(`${name}: predictions`, await t.cpu.predict(xd), await t.wasm.predict(xd), stepTolerance(done * batches)));
  if (threads > 1 && !((t.raw.workerPool?.jobs ?? 0) > 0)) failures.push(`${name}: asked for ${threads} threads, ran on ${t.raw.threads} (${t.raw.threadsNote}) and handed out ${t.raw.workerPool?.jobs ?? 0} jobs`);
  t.raw.dispose();
  return failures;
}

const HIDDEN = ['sigmoid', 'tanh', 'relu', 'linear'] as const;
const OUTPUTS: [Activation, LossName][] = [
  ['sigmoid', 'binaryCrossEntropy'], ['softmax', 'categoricalCrossEntropy'],
  ...(['sse', 'mse'] as const).flatMap((loss) => (['sigmoid', 'tanh', 'relu', 'linear', 'softmax'] as const).map((out): [Activation, LossName] => [out, loss])),
];
const OPTIMIZERS: [OptimizerSpec, number][] = [
  ['sgd', 0.1], ['momentum', 0.05], [{ type: 'momentum', momentum: 0.8, nesterov: true }, 0.05],
  ['adam', 0.01], [{ type: 'adamw', weightDecay: 0.05, decayBiases: true }, 0.01], [{ type: 'rmsprop', rho: 0.8, momentum: 0.5 }, 0.01],
];

const ODD_SHAPES: [string, ModelConfig, number, Omit<FitOptions, 'epochs'>][] = [
  ['1-1 sigmoid, mse, per-sample', { inputSize: 1, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'mse', seed: 3 }, 3, { batchSize: 1, learningRate: 0.5 }],
  ['7-13-9-5 relu/tanh/softmax, adam, batches of 7 of 37', { inputSize: 7, layers: [{ units: 13, activation: 'relu' }, { units: 9, activation: 'tanh' }, { units: 5, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 4 }, 37, { batchSize: 7, learningRate: 0.01, optimizer: 'adam' }],
  ['65-257-3 tanh/linear, momentum, batches of 65 of 70', { inputSize: 65, layers: [{ units: 257, activation: 'tanh' }, { units: 3, activation: 'linear' }], loss: 'mse', seed: 5 }, 70, { batchSize: 65, learningRate: 0.01, optimizer: 'momentum' }],
  ['45-65-9 sigmoid/sigmoid, binary cross-entropy, rmsprop', { inputSize: 45, layers: [{ units: 65, activation: 'sigmoid' }, { units: 9, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', seed: 6 }, 50, { batchSize: 16, learningRate: 0.01, optimizer: 'rmsprop' }],
  ['3-7-7-7-2 relu, full batch, L2, no bias', { inputSize: 3, layers: [{ units: 7, activation: 'relu' }, { units: 7, activation: 'relu' }, { units: 7, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 7, l2: 0.05, useBias: false }, 31, { batchSize: 31, learningRate: 0.1 }],
  ['17-1 linear, sse, sample weights, clipValue', { inputSize: 17, layers: [{ units: 1, activation: 'linear' }], loss: 'sse', seed: 8 }, 19, { batchSize: 4, learningRate: 0.02, clipValue: 0.05, sampleWeight: Array.from({ length: 19 }, (_, i) => (i % 3) + 0.5) }],
];

/** The newer activations, one network each (with leakyRelu and elu also at a non-default alpha). */
export const MODERN_ACTIVATIONS: { activation: Activation; alpha?: number }[] = [
  { activation: 'leakyRelu' }, { activation: 'leakyRelu', alpha: -0.2 }, { activation: 'elu', alpha: 0.5 }, { activation: 'selu' },
  { activation: 'gelu' }, { activation: 'geluTanh' }, { activation: 'silu' }, { activation: 'softplus' }, { activation: 'mish' },
];
const label = (s: { activation: Activation; alpha?: number }) => `${s.activation}${s.alpha === undefined ? '' : ` α ${s.alpha}`}`;

/**
 * A 1-2-1 network whose first layer sees z = ±80 (weights ±40, inputs ±2): the wasm forward and
 * one SGD step against the CPU's, every value finite.
 */
async function largeZ(spec: { activation: Activation; alpha?: number }): Promise<string[]> {
  const config: ModelConfig = {
    inputSize: 1, loss: 'mse', seed: 1, useBias: false,
    layers: [{ units: 2, ...spec }, { units: 1, ...spec }],
    weights: [[[40, -40]], [[0.5], [-0.25]]],
  };
  const t = await twins(config);
  const x = [[2], [-2]];
  const y = [[1], [-1]];
  const xd = toInputs(x, t.net);
  const [pc, pw] = [await t.cpu.predict(xd), await t.wasm.predict(xd)];
  const failures = differences(`${label(spec)} at z = ±80: predictions`, pc, pw, { atol: 1e-5, rtol: 1e-5 });
  const fit = { batchSize: 2, learningRate: 1e-4, epochs: 1 };
  await fitOn(fitHost(t.cpu, t.net), x, y, fit);
  await fitOn(fitHost(t.wasm, t.net), x, y, fit);
  const [gc, gw] = [flatParams(await t.cpu.readParams()), flatParams(await t.wasm.readParams())];
  for (const [who, v] of [['cpu', gc], ['wasm', gw], ['cpu predict', Array.from(pc)], ['wasm predict', Array.from(pw)]] as const) {
    if (!v.every(Number.isFinite)) failures.push(`${label(spec)} at z = ±80: ${who} has a non-finite value: ${v.join(', ')}`);
  }
  failures.push(...differences(`${label(spec)} at z = ±80: parameters after 1 step`, gc, gw, stepTolerance(1)));
  t.raw.dispose();
  return failures;
}

const THREADED: [string, ModelConfig, number, Omit<FitOptions, 'epochs'>, number][] = [
  ['37-96-48-5 relu/tanh/softmax, dropout, adam, batches of 64 of 150, 2 threads', { inputSize: 37, layers: [{ units: 96, activation: 'relu', dropout: 0.25 }, { units: 48, activation: 'tanh' }, { units: 5, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 12 }, 150, { batchSize: 64, learningRate: 0.01, optimizer: 'adam' }, 2],
  // residual layers whose f' reads z, with the Huber loss and L1: the split products meet the newer step
  ['33-64-64r-64r-4 gelu/silu/linear residual, dropout, huber, L1, adam, batches of 40 of 90, 2 threads', { inputSize: 33, layers: [{ units: 64, activation: 'gelu' }, { units: 64, activation: 'gelu', residual: true, dropout: 0.2 }, { units: 64, activation: 'silu', residual: true }, { units: 4, activation: 'linear' }], loss: 'huber', l1: 0.01, seed: 14 }, 90, { batchSize: 40, learningRate: 0.01, optimizer: 'adam' }, 2],
  // the norm kernels run on the main thread between the split products
  ["63-97n-97nr-3 gelu/relu with norm 'layer', a residual block with dropout, rmsprop, clipNorm, batches of 49 of 100, 2 threads", { inputSize: 63, layers: [{ units: 97, activation: 'gelu', norm: 'layer' }, { units: 97, activation: 'relu', norm: 'layer', residual: true, dropout: 0.2 }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 15 }, 100, { batchSize: 49, learningRate: 0.01, optimizer: 'rmsprop', clipNorm: 0.5 }, 2],
  // batch norm's column statistics and running update on the main thread between the split products
  ["63-97b-97br-3 silu/relu with norm 'batch', a residual block with dropout, adam, batches of 49 of 100, 2 threads", { inputSize: 63, layers: [{ units: 97, activation: 'silu', norm: 'batch' }, { units: 97, activation: 'relu', norm: 'batch', residual: true, dropout: 0.2 }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 16 }, 100, { batchSize: 49, learningRate: 0.01, optimizer: 'adam' }, 2],
  ['65-257-3 sigmoid/linear, momentum, L2, batches of 65 of 70, 3 threads (uneven parts)', { inputSize: 65, layers: [{ units: 257, activation: 'sigmoid' }, { units: 3, activation: 'linear' }], loss: 'mse', seed: 13, l2: 0.01 }, 70, { batchSize: 65, learningRate: 0.02, optimizer: 'momentum' }, 3],
];

/** γ/β under AdamW: not decayed (decayed only with decayBiases, as biases), and trained with frozen biases. */
const NORM_DECAY_CASES = [false, true].map((decayBiases) => ({
  name: `norm 'layer' under adamw (weight decay 0.1${decayBiases ? ', decayBiases' : ''})${decayBiases ? '' : ', freezeBias'}: 4-5n-3, elu, mse`,
  config: { inputSize: 4, layers: [{ units: 5, activation: 'elu', norm: 'layer' }, { units: 3, activation: 'linear' }], loss: 'mse', seed: 54, freezeBias: !decayBiases } satisfies ModelConfig,
  rows: 21, fit: { batchSize: 7, learningRate: 0.02, optimizer: { type: 'adamw', weightDecay: 0.1, decayBiases } } satisfies Omit<FitOptions, 'epochs'>, checkpoints: [1, 3],
}));

/** A named run of the matrix and the differences it finds. */
export interface WasmParityCase {
  name: string;
  run: () => Promise<string[]>;
}

/** The matrix in groups, each a describe block in Node and one page call in Chromium. */
export const WASM_PARITY_GROUPS: Record<string, WasmParityCase[]> = {
  'wasm vs CPU: the WebGPU parity matrix (every optimizer, loss, batching mode and training feature)': parityCases.map((c) => ({
    name: c.name,
    run: () => parity(c.name, c.config, c.rows, c.fit, c.checkpoints),
  })),
  'wasm vs CPU: every hidden activation × output and loss × optimizer (5-6-5-k, 23 rows in batches of 7, 2 epochs)': HIDDEN.flatMap((hidden) =>
    OUTPUTS.map(([out, loss]) => ({
      name: `${hidden} hidden, ${out} output, ${loss}: sgd, momentum, nesterov, adam, adamw, rmsprop`,
      run: async () => {
        const config: ModelConfig = {
          inputSize: 5, loss, seed: 11,
          layers: [{ units: 6, activation: hidden }, { units: 5, activation: hidden }, { units: loss === 'binaryCrossEntropy' ? 1 : 3, activation: out }],
        };
        const failures: string[] = [];
        for (const [optimizer, learningRate] of OPTIMIZERS) {
          const name = `${hidden}/${out}/${loss}/${JSON.stringify(optimizer)}`;
          failures.push(...(await parity(name, config, 23, { batchSize: 7, learningRate, optimizer }, [1, 2])));
        }
        return failures;
      },
    })),
  ),
  'wasm vs CPU: the newer activations (5-7-6-3, hidden with dropout and output, mse, adam, 23 rows in batches of 7; z = ±80)': MODERN_ACTIVATIONS.flatMap((spec) => [
    {
      name: `${label(spec)}: hidden and output`,
      run: () => parity(`${label(spec)}`, {
        inputSize: 5, loss: 'mse', seed: 12,
        layers: [{ units: 7, ...spec }, { units: 6, ...spec, dropout: 0.25 }, { units: 3, ...spec }],
      }, 23, { batchSize: 7, learningRate: 0.01, optimizer: 'adam' }, [1, 3]),
    },
    { name: `${label(spec)}: z = ±80`, run: () => largeZ(spec) },
  ]),
  'wasm vs CPU: odd shapes': ODD_SHAPES.map(([name, config, rows, fit]) => ({ name, run: () => parity(name, config, rows, fit, [1, 3]) })),
  "wasm vs CPU: layer norm (norm 'layer', γ and β compared with the weights)": [...NORM_PARITY_CASES, ...NORM_DECAY_CASES].map((c) => ({
    name: c.name,
    run: () => parity(c.name, c.config, c.rows, c.fit, c.checkpoints),
  })),
  "wasm vs CPU: batch norm (norm 'batch', γ, β and the running mean and variance compared with the weights; predictions read the running ones)": BATCH_NORM_PARITY_CASES.map((c) => ({
    name: c.name,
    run: () => parity(c.name, c.config, c.rows, c.fit, c.checkpoints),
  })),
};

/** The wasm backend's products split across worker threads (in Node, and in Chromium in a cross-origin-isolated page: test/wasm.browser.test.ts). */
export const WASM_THREADED_CASES: WasmParityCase[] = THREADED.map(([name, config, rows, fit, threads]) => ({ name, run: () => parity(name, config, rows, fit, [1, 2], threads) }));
