import { type NetSpec, checkNumber, resolveNetSpec } from '../core/config';
import { toInputs, toTargets } from '../core/data';
import { or, readRecord } from '../core/inspect';
import { type StepExtrasOptions, objectiveWith, resolveStepExtras, stepWith } from './step-extras';
import { parameterCount, paramsFromArrays } from '../core/params';
import { withNorms } from '../core/norm-params';
import type { Inputs, ModelConfig, Targets, Weights } from '../core/types';

/**
 * Most multiply-adds a gradient check may take (2·parameters²·rows): about a minute of float64 JavaScript.
 *
 * @example
 * 2 * 1000 ** 2 * 100 <= MAX_CHECK_WORK; // 1000 parameters, 100 rows: allowed
 */
export const MAX_CHECK_WORK = 2 ** 36;

/**
 * What {@link gradientCheck} measured.
 *
 * @example
 * const { relativeDifference, worstIndex }: GradientCheckResult = gradientCheck(model, x, y);
 */
export interface GradientCheckResult {
  /** ‖numeric − backprop‖ / (‖numeric‖ + ‖backprop‖) over the unrolled parameter vector. */
  relativeDifference: number;
  /** max_i |numeric_i − backprop_i| / max(|numeric_i| + |backprop_i|, 1e-8). */
  maxRelativeDifference: number;
  /** max_i |numeric_i − backprop_i|. */
  maxAbsoluteDifference: number;
  /** Index (in the unrolled vector: layer 0 weights, biases, γ, β, then layer 1's, …) of the largest difference. */
  worstIndex: number;
  /** Number of parameters checked. */
  parameters: number;
  /** The same measures per parameter array, in the unrolled order: `weights[l]`, `biases[l]`, `norms[l].scale`, `norms[l].shift`. */
  groups: GradientCheckGroup[];
}

/**
 * One parameter array's share of a {@link gradientCheck}.
 *
 * @example
 * r.groups.find((g) => g.name === 'norms[0].scale')!.relativeDifference < 1e-6;
 */
export interface GradientCheckGroup {
  /** `weights[l]`, `biases[l]`, `norms[l].scale` (γ) or `norms[l].shift` (β). */
  name: string;
  /** ‖numeric − backprop‖ / (‖numeric‖ + ‖backprop‖) over this array (0 when both are 0). */
  relativeDifference: number;
  /** max_i |numeric_i − backprop_i| over this array. */
  maxAbsoluteDifference: number;
  /** Number of parameters in this array. */
  parameters: number;
}

/**
 * Gradient checking: compares backpropagation's gradient of J(θ) = (1/m)·Σ w_r·loss_r + λ/(2m)·ΣW²
 * with central differences (J(θ + ε) − J(θ − ε)) / 2ε in float64 over W, b and (with `norm`) γ, β,
 * with a fixed dropout mask and sample weights when given (see {@link StepExtrasOptions}). Slow: for small networks and tests.
 *
 * @example
 * const config = { inputSize: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy' } as const;
 * const r = gradientCheck({ config, weights: await model.getWeights() }, [[0, 1]], [1]);
 * r.relativeDifference < 1e-7; // backprop agrees with the numbers
 */
export function gradientCheck(
  model: { config: ModelConfig | NetSpec; weights: Weights },
  x: Inputs,
  y: Targets,
  options: { epsilon?: number } & StepExtrasOptions = {},
): GradientCheckResult {
  const m = readRecord(model, 'gradientCheck model', ['config', 'weights'], '{config, weights}');
  const net = resolveNetSpec(m.config as ModelConfig);
  const o = readRecord(options, 'gradientCheck options', ['epsilon', 'dropout', 'sampleWeight'], '{epsilon?, dropout?, sampleWeight?}');
  const eps = checkNumber('epsilon', or(o.epsilon, 1e-4), 'positive');
  const w = readRecord(m.weights, 'gradientCheck weights', ['weights', 'biases', 'norms'], '{weights, biases, norms?}');
  const p = withNorms(net, paramsFromArrays(net, w.weights, w.biases, { requireBiases: true }), w.norms);
  const dx = toInputs(x, net);
  const dy = toTargets(y, net, dx.rows);
  const extras = resolveStepExtras(o, net, dx.rows, 'gradientCheck options');
  // two forward passes per parameter, each about rows × parameters multiply-adds
  const count = parameterCount(net);
  if (2 * count * count * dx.rows > MAX_CHECK_WORK) {
    throw new RangeError(`gradientCheck of ${count} parameters on ${dx.rows} rows would take about ${(2 * count * count * dx.rows).toExponential(1)} multiply-adds (the limit is ${MAX_CHECK_WORK.toExponential(1)}); check a smaller network or fewer rows`);
  }
  const { grads } = stepWith(net, p, dx.data, dy.data, dx.rows, extras);
  const J = () => objectiveWith(net, p, dx.data, dy.data, dx.rows, extras);

  // unrolled parameter vector: for each layer, its weights, (when used) its biases, then (with norm) γ and β
  const blocks: { name: string; theta: Float64Array; grad: Float64Array }[] = [];
  net.layers.forEach((layer, l) => {
    blocks.push({ name: `weights[${l}]`, theta: p.weights[l], grad: grads.weights[l] });
    if (net.useBias) blocks.push({ name: `biases[${l}]`, theta: p.biases[l], grad: grads.biases[l] });
    const [gammaBeta, g] = [p.norms?.[l], grads.norms?.[l]];
    if (!gammaBeta || !g) return;
    // subarrays share memory with γβ, so nudging them moves the parameters J reads
    blocks.push({ name: `norms[${l}].scale`, theta: gammaBeta.subarray(0, layer.units), grad: g.subarray(0, layer.units) });
    blocks.push({ name: `norms[${l}].shift`, theta: gammaBeta.subarray(layer.units), grad: g.subarray(layer.units) });
  });
  let diff2 = 0, num2 = 0, ana2 = 0, maxRel = 0, maxAbs = 0, worst = -1, index = 0;
  const groups: GradientCheckGroup[] = [];
  for (const { name, theta, grad } of blocks) {
    let [gDiff2, gNum2, gAna2, gMaxAbs] = [0, 0, 0, 0];
    for (let i = 0; i < theta.length; i++, index++) {
      const saved = theta[i];
      theta[i] = saved + eps;
      const plus = J();
      theta[i] = saved - eps;
      const minus = J();
      theta[i] = saved;
      const numeric = (plus - minus) / (2 * eps);
      const d = Math.abs(numeric - grad[i]);
      diff2 += d * d;
      num2 += numeric * numeric;
      ana2 += grad[i] * grad[i];
      gDiff2 += d * d;
      gNum2 += numeric * numeric;
      gAna2 += grad[i] * grad[i];
      gMaxAbs = Math.max(gMaxAbs, d);
      const rel = d / Math.max(Math.abs(numeric) + Math.abs(grad[i]), 1e-8);
      if (d > maxAbs) {
        maxAbs = d;
        worst = index;
      }
      maxRel = Math.max(maxRel, rel);
    }
    const gDenom = Math.sqrt(gNum2) + Math.sqrt(gAna2);
    groups.push({ name, relativeDifference: gDenom === 0 ? 0 : Math.sqrt(gDiff2) / gDenom, maxAbsoluteDifference: gMaxAbs, parameters: theta.length });
  }
  const denom = Math.sqrt(num2) + Math.sqrt(ana2);
  return {
    relativeDifference: denom === 0 ? 0 : Math.sqrt(diff2) / denom,
    maxRelativeDifference: maxRel,
    maxAbsoluteDifference: maxAbs,
    worstIndex: worst,
    parameters: index,
    groups,
  };
}
