// Batch normalization on the wasm backend: the generated kernels (src/wasm/kernels/batch-norm.ts)
// against the float64 op (src/cpu/batch-norm.ts) on odd widths and row counts — the training forward
// with the running update, the inference forward and the backward checked separately, and wrong
// kernel inputs that must fail the same comparisons; then the running estimates through the
// backend's state (early stopping's best copy, the divergence rollback, getWeights/setWeights).
import { describe, expect, it } from 'vitest';
import { MLP } from '../src';
import type { ModelConfig } from '../src';
import { Rng } from '../src/core/random';
import { activate } from '../src/cpu/activations';
import { batchNormBackward, batchNormForward, batchNormInfer, updateRunningStats } from '../src/cpu/batch-norm';
import { ModuleBuilder } from '../src/wasm/emit/module';
import { addMathFunctions } from '../src/wasm/kernels/math';
import { addBatchNormBackward, addBatchNormForward } from '../src/wasm/kernels/batch-norm';
import { divergedAndFirstUpdate } from './helpers/diverged-update';
import { compareScaled as compare } from './helpers/scaled-compare';
import { exportKernel, kernelMemory } from './helpers/wasm-kernel-memory';
import { caseData, differences, fitHost, fitOn, flatParams, stepTolerance, twins } from './wasm-twins';

const WIDTHS = [1, 3, 7, 65];
const ROWS = [2, 5, 9];
const EPS = 1e-5;
const MOMENTUM = 0.3;
const seeded = (rng: Rng, n: number, lo = -2, hi = 2) => Float64Array.from({ length: n }, () => Math.fround(rng.uniform(lo, hi)));

type Buffer = 'zx' | 'inv' | 'gb' | 'y' | 'act' | 'from' | 'to' | 'delta' | 'grad';

/** The three kernels of a `units`-wide layer with tanh over `rows` rows, in one module over its own memory (momentum `momentum`). */
function kernels(units: number, rows: number, momentum = MOMENTUM) {
  const m = new ModuleBuilder();
  const math = addMathFunctions(m);
  const spec = { l: 0, units, epsilon: EPS, momentum, activate: math.activate.tanh, keepY: true };
  exportKernel(m, 'train', addBatchNormForward(m, spec, true), 8);
  exportKernel(m, 'infer', addBatchNormForward(m, spec, false), 8);
  exportKernel(m, 'backward', addBatchNormBackward(m, 0, units), 6);
  const n = rows * units;
  const sizes: Record<Buffer, number> = { zx: n, inv: units, gb: 2 * units, y: n, act: n, from: 2 * units, to: 2 * units, delta: n, grad: 2 * units };
  const { at, exports, view } = kernelMemory(m, sizes);
  const forward = ['zx', 'inv', 'gb', 'y', 'act'] as const;
  /** Runs export `name` on its buffers' byte addresses and `rows`. */
  const run = (name: 'train' | 'infer' | 'backward') => {
    const fn = exports[name];
    if (name === 'backward') fn(...(['delta', 'zx', 'inv', 'gb', 'grad'] as const).map((b) => at[b] * 4), rows);
    else fn(...forward.map((b) => at[b] * 4), rows, at.from * 4, at.to * 4);
  };
  return { view, run };
}

/** Seeded z, γ/β, g and running estimates (mean in [−2, 2], variance in [0.1, 2]) of a rows × units case, loaded into its kernels. */
function setUp(units: number, rows: number, momentum = MOMENTUM) {
  const rng = new Rng(78, `batch norm ${rows}x${units}`);
  const z = seeded(rng, rows * units);
  const gb = seeded(rng, 2 * units);
  const g = seeded(rng, rows * units);
  const stats = Float64Array.from([...seeded(rng, units), ...seeded(rng, units, 0.1, 2)]);
  const k = kernels(units, rows, momentum);
  k.view('zx').set(z);
  k.view('gb').set(gb);
  k.view('from').set(stats);
  k.view('to').fill(123);
  return { k, z, gb, g, stats };
}

/** The expected training forward and running update of a case. */
function trainReference(c: ReturnType<typeof setUp>, units: number, rows: number) {
  const ref = batchNormForward(c.z, c.gb, rows, units, EPS);
  const running = c.stats.slice();
  updateRunningStats(running, ref.moments, rows, MOMENTUM);
  return { ...ref, running };
}

describe('wasm batch-norm kernels against src/cpu/batch-norm.ts (rows 2, 5, 9; widths 1, 3, 7, 65; seeded inputs in [−2, 2])', () => {
  for (const units of WIDTHS) {
    it(`training forward, rows × ${units}: 1/σ per unit, x̂, y = γ ⊙ x̂ + β, tanh(y), and the running mean and unbiased variance`, () => {
      const failures = ROWS.flatMap((rows) => {
        const c = setUp(units, rows);
        c.k.run('train');
        const ref = trainReference(c, units, rows);
        const shape = `${rows}×${units}`;
        const inv = (i: number) => ref.cache.invStd[i % units];
        const yScale = (i: number) => Math.abs(c.gb[i % units]) * (1 + 4 * inv(i)) + Math.abs(c.gb[units + (i % units)]);
        return [
          ...compare(`${shape} 1/σ`, c.k.view('inv'), ref.cache.invStd, (j) => ref.cache.invStd[j] * (1 + ref.cache.invStd[j] ** 2)),
          ...compare(`${shape} x̂`, c.k.view('zx'), ref.cache.normalized, (i) => 1 + 4 * inv(i)),
          ...compare(`${shape} y`, c.k.view('y'), ref.y, yScale),
          ...compare(`${shape} tanh(y)`, c.k.view('act'), activate('tanh', ref.y, rows, units), (i) => yScale(i) + 1),
          ...compare(`${shape} running mean, variance`, c.k.view('to'), ref.running, () => 8),
        ];
      });
      expect(failures, failures.join('\n')).toEqual([]);
    });

    it(`inference forward, rows × ${units}: the running estimates in place of the batch's, γ ⊙ x̂ + β and tanh`, () => {
      const failures = ROWS.flatMap((rows) => {
        const c = setUp(units, rows);
        c.k.view('to').fill(7);
        c.k.run('infer');
        const { y } = batchNormInfer(c.z, c.gb, c.stats, rows, units, EPS);
        const shape = `${rows}×${units}`;
        const scale = (i: number) => 4 * (4 / Math.sqrt(c.stats[units + (i % units)] + EPS)) + 2;
        return [
          ...compare(`${shape} y`, c.k.view('y'), y, scale),
          ...compare(`${shape} tanh(y)`, c.k.view('act'), activate('tanh', y, rows, units), scale),
          ...(c.k.view('to').every((v) => v === 7) ? [] : [`${shape}: inference wrote the running estimates`]),
        ];
      });
      expect(failures, failures.join('\n')).toEqual([]);
    });

    it(`backward, rows × ${units}: ∂loss/∂z, ∂γ and ∂β from ∂loss/∂y`, () => {
      const failures = ROWS.flatMap((rows) => {
        const c = setUp(units, rows);
        c.k.run('train');
        const ref = trainReference(c, units, rows);
        c.k.view('delta').set(c.g);
        c.k.view('grad').fill(123);
        c.k.run('backward');
        const gradRef = new Float64Array(2 * units);
        const dz = batchNormBackward(c.g, c.gb, ref.cache, rows, units, gradRef);
        const shape = `${rows}×${units}`;
        // each ∂z sums `rows` products of |g·γ·x̂| ≤ 2·2·√rows, times 1/σ
        return [
          ...compare(`${shape} ∂z`, c.k.view('delta'), dz, (i) => ref.cache.invStd[i % units] * 4 * (2 + rows)),
          ...compare(`${shape} ∂γ ∂β`, c.k.view('grad'), gradRef, (j) => rows * 2 * (j < units ? Math.sqrt(rows) + 1 : 1)),
        ];
      });
      expect(failures, failures.join('\n')).toEqual([]);
    });
  }

  it('wrong kernels fail the same comparisons: the momentum 0.1 for 0.3 in the running update; x̂ zeroed before the backward (no x̂·mean(ĝ ⊙ x̂) term)', () => {
    const [units, rows] = [7, 5];
    const c = setUp(units, rows, 0.1);
    c.k.run('train');
    const ref = trainReference(c, units, rows);
    expect(compare('momentum 0.1: running estimates', c.k.view('to'), ref.running, () => 8).length, '5×7 running update with the wrong momentum: values out of tolerance').toBeGreaterThan(0);

    const d = setUp(units, rows);
    d.k.run('train');
    const good = trainReference(d, units, rows);
    d.k.view('zx').fill(0);
    d.k.view('delta').set(d.g);
    d.k.run('backward');
    const dz = batchNormBackward(d.g, d.gb, good.cache, rows, units, new Float64Array(2 * units));
    expect(compare('zeroed x̂: ∂z', d.k.view('delta'), dz, () => 10).length, '5×7 backward without the x̂ term: values out of tolerance').toBeGreaterThan(0);
  });
});

const batchNet: ModelConfig = {
  inputSize: 5, loss: 'categoricalCrossEntropy', seed: 32,
  layers: [{ units: 7, activation: 'gelu', norm: 'batch' }, { units: 7, activation: 'tanh', norm: 'batch', residual: true, normMomentum: 0.25 }, { units: 3, activation: 'softmax' }],
};
const flatStats = (p: { normStats?: (Float64Array | null)[] }) => (p.normStats ?? []).flatMap((s) => (s ? Array.from(s) : []));

describe("wasm: the running estimates in the backend's state (5-7b-7br-3 gelu/tanh, softmax)", () => {
  const { x, y } = caseData(batchNet, 41, 'batch norm state');

  it('early stopping with restoreBestWeights restores the running mean and variance with the weights, as on the CPU', async () => {
    const t = await twins(batchNet);
    const val = caseData(batchNet, 13, 'batch norm state val');
    const fit = { epochs: 10, batchSize: 9, learningRate: 0.3, validationData: [val.x, val.y] as [number[][], number[][]], earlyStopping: { patience: 2, restoreBestWeights: true } };
    const [hc, hw] = [await fitOn(fitHost(t.cpu, t.net), x, y, fit), await fitOn(fitHost(t.wasm, t.net), x, y, fit)];
    expect(hw.bestEpoch).toBe(hc.bestEpoch);
    expect(hw.epochs.length).toBe(hc.epochs.length);
    expect(hw.bestEpoch!, 'stopped after the best epoch, so the best copy is restored').toBeLessThan(hw.epochs.length);
    const [pc, pw] = [await t.cpu.readParams(), await t.wasm.readParams()];
    const failures = differences('restored parameters and running estimates', flatParams(pc), flatParams(pw), stepTolerance(60));
    expect(flatStats(pw).length, 'running mean and variance of both layers').toBe(28);
    expect(failures, failures.join('\n')).toEqual([]);
    t.raw.dispose();
  });

  it('a diverged update is not taken, its running update included: the state is that of the updates before it', async () => {
    const { divergence, after, first } = await divergedAndFirstUpdate(batchNet, x, y);
    expect(divergence, 'η 1e38 on 5-7b-7br-3').toMatchObject({ batch: 1, kind: 'update', kept: 1 });
    const failures = differences('the state after one update', flatParams(first), flatParams(after), { atol: 0, rtol: 1e-7 });
    expect(flatStats(first).slice(0, 7).some((v) => v !== 0), 'the first update moved the running mean').toBe(true);
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it("MLP on 'wasm': getWeights returns the running estimates; setWeights takes them into another backend, whose predictions match", async () => {
    const [wasm, cpu] = [await MLP.create({ ...batchNet, backend: 'wasm' }), await MLP.create({ ...batchNet, backend: 'cpu' })];
    await wasm.fit(x, y, { epochs: 2, batchSize: 9, learningRate: 0.05, optimizer: 'adam' });
    const w = await wasm.getWeights();
    expect(w.norms?.map((n) => n?.runningMean?.length ?? null), 'running means per layer').toEqual([7, 7, null]);
    expect(w.norms![0]!.runningVar!.some((v) => Math.abs(v - 1) > 1e-3), 'running variance of layer 0 moved from 1').toBe(true);
    await cpu.setWeights(w);
    const failures = differences('predictions (wasm vs CPU from its weights)', (await wasm.predict(x)).flat(), (await cpu.predict(x)).flat(), { atol: 1e-5, rtol: 1e-4 });
    // and back: the CPU's estimates, shifted, into the wasm model change its predictions as the CPU's
    const shifted = { ...w, norms: w.norms!.map((n) => n && { ...n, runningMean: n.runningMean!.map((v) => v + 0.5) }) };
    await Promise.all([wasm.setWeights(shifted), cpu.setWeights(shifted)]);
    failures.push(...differences('predictions after shifted running means', (await wasm.predict(x)).flat(), (await cpu.predict(x)).flat(), { atol: 1e-5, rtol: 1e-4 }));
    expect(failures, failures.join('\n')).toEqual([]);
    wasm.dispose();
    cpu.dispose();
  });
});
