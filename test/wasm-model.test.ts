// The wasm backend through the public API: `backend: 'wasm'` trains as the float64 CPU backend
// does (to float32 precision) through MLP.fit, predict, evaluate, weights, files and profile;
// 'auto' without WebGPU (Node here) trains on wasm; bad input names the value and changes nothing.
import { describe, expect, it } from 'vitest';
import { MLP, wasmSimdMissing } from '../src';
import type { ModelConfig } from '../src';

const xor = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };
const config: ModelConfig = { inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', seed: 11 };
const fitOptions = { epochs: 300, batchSize: 4, learningRate: 0.1, optimizer: 'adam' as const, shuffle: false };

const flat = (w: { weights: number[][][]; biases: number[][] }) => [...w.weights.flat(2), ...w.biases.flat()];

function closeTo(label: string, got: number[], want: number[], atol: number, rtol: number): string[] {
  if (got.length !== want.length) return [`${label}: ${got.length} values, expected ${want.length}`];
  const out: string[] = [];
  got.forEach((g, i) => {
    const tol = atol + rtol * Math.abs(want[i]);
    if (!(Math.abs(g - want[i]) <= tol)) out.push(`${label}[${i}] = ${g}, expected ${want[i]} ± ${tol.toExponential(1)}`);
  });
  return out;
}

describe("backend: 'wasm' through MLP", () => {
  it('this engine has WebAssembly SIMD (Node 20)', () => {
    expect(wasmSimdMissing()).toBeNull();
  });

  it('XOR 2-8-1, Adam, 300 epochs: history, weights and predictions match the float64 CPU backend', async () => {
    const wasm = await MLP.create({ ...config, backend: 'wasm' });
    const cpu = await MLP.create({ ...config, backend: 'cpu' });
    expect(wasm.backend).toBe('wasm');
    expect(wasm.backendReason).toBe("backend 'wasm' was requested");
    const [hw, hc] = [await wasm.fit(xor.x, xor.y, fitOptions), await cpu.fit(xor.x, xor.y, fitOptions)];
    expect(hw.backend).toBe('wasm');
    const failures = [
      ...closeTo('loss per epoch', hw.epochs.map((e) => e.loss), hc.epochs.map((e) => e.loss), 1e-5, 1e-3),
      ...closeTo('weights', flat(await wasm.getWeights()), flat(await cpu.getWeights()), 1e-4, 1e-3),
      ...closeTo('predictions', (await wasm.predict(xor.x)).flat(), (await cpu.predict(xor.x)).flat(), 1e-5, 1e-3),
    ];
    expect(failures, failures.slice(0, 8).join('\n')).toEqual([]);
    expect((await wasm.evaluate(xor.x, xor.y)).accuracy).toBe(1);
    wasm.dispose();
    cpu.dispose();
  });

  it('a file written on wasm loads on the CPU and back with the same predictions; setWeights round-trips', async () => {
    const wasm = await MLP.create({ ...config, backend: 'wasm' });
    await wasm.fit(xor.x, xor.y, { ...fitOptions, epochs: 20 });
    const json = await wasm.toJSON();
    const cpu = await MLP.fromJSON(json, { backend: 'cpu' });
    const again = await MLP.fromJSON(JSON.stringify(json), { backend: 'wasm' });
    expect(again.backend).toBe('wasm');
    const want = (await cpu.predict(xor.x)).flat();
    const failures = [...closeTo('wasm', (await wasm.predict(xor.x)).flat(), want, 1e-6, 1e-5), ...closeTo('reloaded', (await again.predict(xor.x)).flat(), want, 1e-6, 1e-5)];
    await again.setWeights(await cpu.getWeights());
    failures.push(...closeTo('setWeights', flat(await again.getWeights()), flat(await cpu.getWeights()), 1e-7, 1e-6));
    expect(failures, failures.join('\n')).toEqual([]);
    for (const m of [wasm, cpu, again]) m.dispose();
  });

  it('profile() reports each stage of the step and leaves the weights as they were', async () => {
    const wasm = await MLP.create({ ...config, backend: 'wasm' });
    const before = flat(await wasm.getWeights());
    const p = await wasm.profile(xor.x, xor.y, { batchSize: 4, steps: 5 });
    expect(p.launches.length).toBeGreaterThan(3);
    for (const l of p.launches) expect(Number.isFinite(l.ms) && l.ms >= 0, `${l.label}: ${l.ms}`).toBe(true);
    expect(flat(await wasm.getWeights())).toEqual(before);
    wasm.dispose();
  });

  it("'auto' where no WebGPU adapter exists trains on wasm and says why", async () => {
    const auto = await MLP.create({ ...config, backend: 'auto' });
    expect(auto.backend).toBe('wasm');
    expect(auto.backendReason).toMatch(/^no WebGPU: .*; training on wasm$/);
    auto.dispose();
  });

  it('refuses, naming the value, what float32 cannot hold, and leaves the model as it was', async () => {
    await expect(MLP.create({ ...config, backend: 'wasm', weights: [[[1e39, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]], [[0], [0], [0], [0], [0], [0], [0], [0]]] })).rejects.toThrow(/1e\+39/);
    const wasm = await MLP.create({ ...config, backend: 'wasm' });
    const before = flat(await wasm.getWeights());
    const bad = await wasm.getWeights();
    bad.weights[0][1][3] = -5e38;
    await expect(wasm.setWeights(bad)).rejects.toThrow(/5e\+38/);
    await expect(wasm.fit(xor.x, xor.y, { ...fitOptions, learningRate: 1e39 })).rejects.toThrow(/learningRate.*1e\+39/);
    await expect(wasm.fit([[0, 1e39], [1, 1], [0, 0], [1, 0]], xor.y, { ...fitOptions, epochs: 1 })).rejects.toThrow(/1e\+39/);
    expect(flat(await wasm.getWeights())).toEqual(before);
    wasm.dispose();
  });

  it("'auto' keeps weights float32 cannot hold on the float64 CPU path, saying why", async () => {
    const weights = [[[1e39, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]], [[0], [0], [0], [0], [0], [0], [0], [0]]];
    const auto = await MLP.create({ ...config, backend: 'auto', weights });
    expect(auto.backend).toBe('cpu');
    expect(auto.backendReason).toMatch(/^auto chose the CPU: .*1e\+39/);
    auto.dispose();
  });

  it("an unknown backend name lists the four", async () => {
    await expect(MLP.create({ ...config, backend: 'wsam' as 'wasm' })).rejects.toThrow(/backend must be one of 'cpu', 'webgpu', 'wasm', 'auto', got "wsam"/);
  });
});
