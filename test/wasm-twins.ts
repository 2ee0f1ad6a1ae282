// Helpers of the wasm backend's tests: a model's network on both the float64 CPU backend and the
// wasm backend from the same parameters, each trained through the fit loop (src/fit/loop.ts) as
// `MLP.fit` trains it, and the float32 tolerances the comparisons allow.
import { type ResolvedConfig, resolveConfig } from '../src/core/config';
import { type Params, initParams, paramsFromArrays } from '../src/core/params';
import { Rng } from '../src/core/random';
import type { TrainerBackend } from '../src/core/trainer';
import type { FitOptions, History, Inputs, ModelConfig, Targets } from '../src/core/types';
import { CpuBackend } from '../src/cpu/backend';
import { type FitHost, runEpochs } from '../src/fit/loop';
import { resolveFitPlan } from '../src/fit/options';
import { type WasmBackend, createWasmBackend } from '../src/wasm/backend';

/** One model's network on both backends, from the same starting parameters (the config's weights, else drawn from its seed). */
export interface Twins {
  net: ResolvedConfig;
  params: Params;
  cpu: TrainerBackend;
  wasm: TrainerBackend;
  raw: WasmBackend;
}

/** `threads`: the wasm side's threads (1 unless a test of the threaded path asks for more). */
export async function twins(config: ModelConfig, threads = 1): Promise<Twins> {
  const net = resolveConfig({ ...config, weights: undefined, biases: undefined });
  const params = config.weights ? paramsFromArrays(net, config.weights, config.biases) : initParams(net);
  const raw = await createWasmBackend(net, params, { threads });
  return { net, params, cpu: new CpuBackend(net, params), wasm: raw, raw };
}

/** A model's side of the fit loop for one backend: its counters kept across fits, as MLP keeps them. */
export function fitHost(backend: TrainerBackend, net: ResolvedConfig): FitHost {
  return {
    backend: () => backend,
    seed: net.seed,
    net,
    l2: net.l2,
    l1: net.l1,
    progress: { epochsTrained: 0, steps: 0 },
    fallBackToCpu: async (err) => {
      throw err;
    },
    withFallback: (op) => op(),
  };
}

/** `fit` on one backend through the fit loop (its training data set and cleared around it, as MLP does). */
export async function fitOn(host: FitHost, x: Inputs, y: Targets, options: FitOptions): Promise<History> {
  const plan = resolveFitPlan(options, x, y, host.net as ResolvedConfig, 'cpu');
  const backend = host.backend();
  const history: History = { epochs: [], stopped: false, stopReason: 'completed', backend: 'cpu' };
  await backend.setTrainingData(plan.train.x, plan.train.y, plan.batchSize, plan.features.sampleWeights);
  try {
    await runEpochs(host, plan, history, plan.hooks.signal);
  } finally {
    backend.clearTrainingData();
  }
  return history;
}

/** Weights, biases, then the normalized layers' γ then β, then the batch-normalized layers' running mean then variance, flat. */
export const flatParams = (p: Params): number[] => [...p.weights, ...p.biases, ...(p.norms ?? []), ...(p.normStats ?? [])].flatMap((a) => (a ? Array.from(a) : []));

/** float32 wasm vs float64 CPU after `steps` steps (the WebGPU parity tests' allowance). */
export const stepTolerance = (steps: number) => (steps <= 1 ? { atol: 1e-6, rtol: 1e-4 } : steps <= 20 ? { atol: 5e-6, rtol: 5e-4 } : { atol: 2e-5, rtol: 2e-3 });

/** Seeded rows of inputs in [−2, 2] and targets fitting the loss (one-hot, 0/1, or in [−1, 1]), as the WebGPU parity cases draw them. */
export function caseData(config: ModelConfig, rows: number, stream: string): { x: number[][]; y: number[][] } {
  const rng = new Rng(99, stream);
  const out = config.layers[config.layers.length - 1];
  const x = Array.from({ length: rows }, () => Array.from({ length: config.inputSize }, () => rng.uniform(-2, 2)));
  const y = Array.from({ length: rows }, () => {
    if (config.loss === 'categoricalCrossEntropy') {
      const r = new Array(out.units).fill(0);
      r[rng.int(out.units)] = 1;
      return r;
    }
    return Array.from({ length: out.units }, () => (config.loss === 'binaryCrossEntropy' ? (rng.next() > 0.5 ? 1 : 0) : rng.uniform(-1, 1)));
  });
  return { x, y };
}

/**
 * Readable failures where `actual` is not within `tol` of `reference` (|a − r| ≤ atol + rtol·|r|),
 * at most five listed, each naming `what` and the index.
 */
export function differences(what: string, reference: ArrayLike<number>, actual: ArrayLike<number>, tol: { atol: number; rtol: number }): string[] {
  if (reference.length !== actual.length) return [`${what}: ${actual.length} values, expected ${reference.length}`];
  const out: string[] = [];
  let bad = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i];
    const a = actual[i];
    if (Math.abs(a - r) <= tol.atol + tol.rtol * Math.abs(r)) continue;
    bad++;
    if (out.length < 5) out.push(`${what}[${i}]: cpu ${r}, wasm ${a} (|diff| ${Math.abs(a - r).toExponential(2)} > ${tol.atol} + ${tol.rtol}·|cpu|)`);
  }
  if (bad > out.length) out.push(`${what}: ${bad} of ${reference.length} values out of tolerance`);
  return out;
}
