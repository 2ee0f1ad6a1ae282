// Layer normalization on the wasm backend: the generated kernels (src/wasm/kernels/norm.ts) against
// the float64 op (src/cpu/layer-norm.ts) on odd widths, forward and backward checked separately, with
// a wrong kernel input that must fail the same comparison; then γ/β through the backend's state
// (optimizer slots moved from the CPU, early stopping's best copy) and MLP's getWeights/setWeights.
import { describe, expect, it } from 'vitest';
import { MLP } from '../src';
import type { ModelConfig } from '../src';
import { Rng } from '../src/core/random';
import { activate } from '../src/cpu/activations';
import { layerNormBackward, layerNormForward } from '../src/cpu/layer-norm';
import { ModuleBuilder } from '../src/wasm/emit/module';
import { addMathFunctions } from '../src/wasm/kernels/math';
import { addNormBackward, addNormForward } from '../src/wasm/kernels/norm';
import { divergedAndFirstUpdate } from './helpers/diverged-update';
import { compareScaled as compare } from './helpers/scaled-compare';
import { exportKernel, kernelMemory } from './helpers/wasm-kernel-memory';
import { caseData, differences, fitHost, fitOn, flatParams, stepTolerance, twins } from './wasm-twins';

const WIDTHS = [1, 3, 7, 65];
const ROWS = 5;
const EPS = 1e-5;
const seeded = (rng: Rng, n: number) => Float64Array.from({ length: n }, () => Math.fround(rng.uniform(-2, 2)));

/** The two kernels of a `units`-wide layer with tanh, in one module over its own memory. */
function kernels(units: number) {
  const m = new ModuleBuilder();
  const math = addMathFunctions(m);
  exportKernel(m, 'forward', addNormForward(m, 0, units, EPS, math.activate.tanh, true), 6);
  exportKernel(m, 'backward', addNormBackward(m, 0, units), 6);
  const n = ROWS * units;
  const k = kernelMemory(m, { zx: n, inv: ROWS, gb: 2 * units, y: n, act: n, delta: n, grad: 2 * units });
  /** Runs export `name` on the buffers `buffers` (their byte addresses) and ROWS rows. */
  const run = (name: string, buffers: (keyof typeof k.at)[]) => k.exports[name](...buffers.map((b) => k.at[b] * 4), ROWS);
  return { view: k.view, run };
}

/** Runs the forward of a `units`-wide layer on seeded z, γ, β; returns the kernel's outputs and the float64 reference. */
function forwardCase(units: number, zxOverride?: (zx: Float32Array) => void) {
  const rng = new Rng(77, `norm ${units}`);
  const z = seeded(rng, ROWS * units);
  const gb = seeded(rng, 2 * units);
  const g = seeded(rng, ROWS * units);
  const k = kernels(units);
  k.view('zx').set(z);
  k.view('gb').set(gb);
  k.run('forward', ['zx', 'inv', 'gb', 'y', 'act']);
  const ref = layerNormForward(z, gb, ROWS, units, EPS);
  zxOverride?.(k.view('zx'));
  return { k, z, gb, g, ref };
}

describe('wasm layer-norm kernels against src/cpu/layer-norm.ts (rows 5, widths 1, 3, 7, 65, seeded inputs in [−2, 2])', () => {
  for (const units of WIDTHS) {
    it(`forward, ${ROWS}×${units}: x̂, 1/σ, y = γ ⊙ x̂ + β and tanh(y)`, () => {
      const { k, gb, ref } = forwardCase(units);
      const inv = (i: number) => ref.cache.invStd[Math.floor(i / units)];
      const failures = [
        ...compare(`${ROWS}×${units} 1/σ`, k.view('inv'), ref.cache.invStd, (i) => ref.cache.invStd[i]),
        ...compare(`${ROWS}×${units} x̂`, k.view('zx'), ref.cache.normalized, (i) => 1 + 4 * inv(i)),
        ...compare(`${ROWS}×${units} y`, k.view('y'), ref.y, (i) => Math.abs(gb[i % units]) * (1 + 4 * inv(i)) + Math.abs(gb[units + (i % units)])),
        ...compare(`${ROWS}×${units} tanh(y)`, k.view('act'), activate('tanh', ref.y, ROWS, units), (i) => Math.abs(gb[i % units]) * (1 + 4 * inv(i)) + 1),
      ];
      expect(failures, failures.join('\n')).toEqual([]);
    });

    it(`backward, ${ROWS}×${units}: ∂loss/∂z, ∂γ and ∂β from ∂loss/∂y`, () => {
      const { k, gb, g, ref } = forwardCase(units);
      k.view('delta').set(g);
      k.view('grad').fill(123);
      k.run('backward', ['delta', 'zx', 'inv', 'gb', 'grad']);
      const gradRef = new Float64Array(2 * units);
      const dz = layerNormBackward(g, gb, ref.cache, ROWS, units, gradRef);
      // each ∂z sums `units` products of |g·γ·x̂| ≤ 2·2·|x̂|, times 1/σ
      const rowScale = (i: number) => ref.cache.invStd[Math.floor(i / units)] * 4 * (2 + Math.sqrt(units));
      const failures = [
        ...compare(`${ROWS}×${units} ∂z`, k.view('delta'), dz, rowScale),
        ...compare(`${ROWS}×${units} ∂γ ∂β`, k.view('grad'), gradRef, (j) => ROWS * 2 * (j < units ? Math.sqrt(units) + 1 : 1)),
      ];
      expect(failures, failures.join('\n')).toEqual([]);
    });
  }

  it('a wrong kernel fails the same comparisons: ε of 0.5 in the forward; x̂ zeroed before the backward (no x̂·mean(ĝ ⊙ x̂) term)', () => {
    const units = 7;
    const { z, gb, g, ref } = forwardCase(units);
    // the forward built with ε 0.5, no activation: act holds y
    const m = new ModuleBuilder();
    exportKernel(m, 'forward', addNormForward(m, 0, units, 0.5, undefined, false), 6);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const f32 = new Float32Array(memory.buffer);
    f32.set(z, 16);
    f32.set(gb, 128);
    (new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env: { memory } }).exports.forward as (...a: number[]) => void)(64, 768, 512, 0, 1024, ROWS);
    expect(compare('ε 0.5: y', f32.subarray(256, 256 + ROWS * units), ref.y, () => 10).length, '5×7 forward with the wrong ε: values out of tolerance').toBeGreaterThan(0);

    const { k } = forwardCase(units, (zx) => zx.fill(0));
    k.view('delta').set(g);
    k.run('backward', ['delta', 'zx', 'inv', 'gb', 'grad']);
    const gradRef = new Float64Array(2 * units);
    const dz = layerNormBackward(g, gb, ref.cache, ROWS, units, gradRef);
    expect(compare('zeroed x̂: ∂z', k.view('delta'), dz, () => 10).length, '5×7 backward without the x̂ term: values out of tolerance').toBeGreaterThan(0);
  });
});

const normNet: ModelConfig = {
  inputSize: 5, loss: 'categoricalCrossEntropy', seed: 31,
  layers: [{ units: 7, activation: 'gelu', norm: 'layer' }, { units: 7, activation: 'tanh', norm: 'layer', residual: true }, { units: 3, activation: 'softmax' }],
};
const allSlots = (s: { layers: { w: Float64Array[]; b: Float64Array[]; n?: Float64Array[] }[] }) => s.layers.flatMap((l) => [...l.w, ...l.b, ...(l.n ?? [])].flatMap((a) => Array.from(a)));

describe("wasm: γ/β in the backend's state (5-7n-7nr-3 gelu/tanh, softmax)", () => {
  const { x, y } = caseData(normNet, 41, 'norm state');

  it('CPU parameters and Adam slots (γ/β included) written into the wasm backend train on as the CPU does', async () => {
    const t = await twins(normNet);
    const [hc, hw] = [fitHost(t.cpu, t.net), fitHost(t.wasm, t.net)];
    const fit = { epochs: 2, batchSize: 9, learningRate: 0.02, optimizer: 'adam' as const };
    await fitOn(hc, x, y, fit);
    await t.wasm.writeParams(await t.cpu.readParams());
    await t.wasm.writeOptimizerState((await t.cpu.readOptimizerState())!);
    expect((await t.wasm.readOptimizerState())!.layers.map((l) => l.n?.length ?? 0), 'γ/β slots per layer').toEqual([2, 2, 0]);
    Object.assign(hw.progress, hc.progress);
    await fitOn(hc, x, y, fit);
    await fitOn(hw, x, y, fit);
    const [pc, pw] = [await t.cpu.readParams(), await t.wasm.readParams()];
    const failures = differences('parameters', flatParams(pc), flatParams(pw), stepTolerance(10));
    failures.push(...differences('γ/β', pc.norms!.flatMap((n) => (n ? Array.from(n) : [])), pw.norms!.flatMap((n) => (n ? Array.from(n) : [])), stepTolerance(10)));
    failures.push(...differences('Adam moments', allSlots((await t.cpu.readOptimizerState())!), allSlots((await t.wasm.readOptimizerState())!), { atol: 1e-6, rtol: 2e-3 }));
    expect(failures, failures.join('\n')).toEqual([]);
    t.raw.dispose();
  });

  it('early stopping with restoreBestWeights restores γ/β with the weights, as on the CPU', async () => {
    const t = await twins(normNet);
    const val = caseData(normNet, 13, 'norm state val');
    const fit = { epochs: 10, batchSize: 8, learningRate: 0.3, validationData: [val.x, val.y] as [number[][], number[][]], earlyStopping: { patience: 2, restoreBestWeights: true } };
    const [hc, hw] = [await fitOn(fitHost(t.cpu, t.net), x, y, fit), await fitOn(fitHost(t.wasm, t.net), x, y, fit)];
    expect(hw.bestEpoch).toBe(hc.bestEpoch);
    expect(hw.epochs.length).toBe(hc.epochs.length);
    const failures = differences('restored parameters', flatParams(await t.cpu.readParams()), flatParams(await t.wasm.readParams()), stepTolerance(60));
    expect(failures, failures.join('\n')).toEqual([]);
    t.raw.dispose();
  });

  it('a diverged update is not taken, γ/β included: the state is that of the updates before it', async () => {
    const { divergence, after, first } = await divergedAndFirstUpdate(normNet, x, y);
    expect(divergence, 'η 1e38 on 5-7n-7nr-3').toMatchObject({ batch: 1, kind: 'update', kept: 1 });
    expect(flatParams(after).every(Number.isFinite), 'every kept parameter, γ/β included, finite').toBe(true);
    const failures = differences('the state after one update', flatParams(first), flatParams(after), { atol: 0, rtol: 1e-7 });
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it("MLP on 'wasm': getWeights returns γ/β; setWeights takes them (and refuses a bad one, naming it, with the model unchanged)", async () => {
    const [wasm, cpu] = [await MLP.create({ ...normNet, backend: 'wasm' }), await MLP.create({ ...normNet, backend: 'cpu' })];
    await wasm.fit(x, y, { epochs: 2, batchSize: 9, learningRate: 0.05, optimizer: 'adam' });
    const w = await wasm.getWeights();
    expect(w.norms?.map((n) => n?.scale.length ?? null), 'norms per layer').toEqual([7, 7, null]);
    expect(w.norms![1]!.scale.some((v) => Math.abs(v - 1) > 1e-4), 'γ of layer 1 moved from 1').toBe(true);
    await cpu.setWeights(w);
    const failures = differences('predictions (wasm vs CPU from its weights)', (await wasm.predict(x)).flat(), (await cpu.predict(x)).flat(), { atol: 1e-5, rtol: 1e-4 });
    expect(failures, failures.join('\n')).toEqual([]);
    const bad = { ...w, norms: [{ scale: w.norms![0]!.scale, shift: [0, 0] }, w.norms![1], null] };
    await expect(wasm.setWeights(bad)).rejects.toThrow(/norms\[0\]\.shift/);
    expect(await wasm.getWeights()).toEqual(w);
    wasm.dispose();
    cpu.dispose();
  });
});
