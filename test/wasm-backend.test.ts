// The wasm backend's state and lifecycle: parameters and optimizer state read, written and moved
// between backends, checkpoints, kept best parameters, profile, inference in chunks, the memory
// plan's refusals (past 4 GiB, or a grow the engine refuses) leaving the backend as it was, and
// dispose.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig, resolveOptimizer } from '../src/core/config';
import { type Dense, toInputs, toTargets } from '../src/core/data';
import { optimizerSlots } from '../src/core/optimizer-state';
import type { EpochPlan } from '../src/core/trainer';
import type { ModelConfig } from '../src/core/types';
import { WasmDisposedError } from '../src/wasm/backend';
import { planLayout } from '../src/wasm/layout';
import { WasmMemory } from '../src/wasm/memory';
import { netShape } from '../src/wasm/shape';
import { caseData, differences, fitHost, fitOn, flatParams, stepTolerance, twins } from './wasm-twins';

const net: ModelConfig = { inputSize: 6, layers: [{ units: 10, activation: 'relu' }, { units: 4, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 4 };
const { x, y } = caseData(net, 150, 'state');
const plan = (n: number, optimizer: 'sgd' | 'adam' | 'momentum', stepsBefore = 0): EpochPlan => ({
  order: Uint32Array.from({ length: n }, (_, i) => (i * 7) % n), batchSize: 16, learningRate: 0.02, optimizer: resolveOptimizer(optimizer), stepsBefore,
});

afterEach(() => vi.restoreAllMocks());

describe('wasm: parameters and optimizer state', () => {
  it('moves between backends: CPU state written into the wasm backend trains on as the CPU does', async () => {
    const t = await twins(net);
    const [hc, hw] = [fitHost(t.cpu, t.net), fitHost(t.wasm, t.net)];
    await fitOn(hc, x, y, { epochs: 2, batchSize: 16, learningRate: 0.02, optimizer: 'adam' });
    await t.wasm.writeParams(await t.cpu.readParams());
    await t.wasm.writeOptimizerState((await t.cpu.readOptimizerState())!);
    hw.progress.steps = hc.progress.steps;
    hw.progress.epochsTrained = hc.progress.epochsTrained;
    await fitOn(hc, x, y, { epochs: 2, batchSize: 16, learningRate: 0.02, optimizer: 'adam' });
    await fitOn(hw, x, y, { epochs: 2, batchSize: 16, learningRate: 0.02, optimizer: 'adam' });
    const failures = differences('parameters', flatParams(await t.cpu.readParams()), flatParams(await t.wasm.readParams()), stepTolerance(20));
    const [sc, sw] = [(await t.cpu.readOptimizerState())!, (await t.wasm.readOptimizerState())!];
    failures.push(...differences('Adam moments', sc.layers.flatMap((l) => [...l.w, ...l.b].flatMap((a) => Array.from(a))), sw.layers.flatMap((l) => [...l.w, ...l.b].flatMap((a) => Array.from(a))), { atol: 1e-6, rtol: 2e-3 }));
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('optimizer state: none before the first update and after a reset, empty slots for SGD, the slots of the optimizer otherwise', async () => {
    const t = await twins(net);
    const xd = toInputs(x, t.net);
    await t.wasm.setTrainingData(xd, toTargets(y, t.net, 150), 16);
    expect(await t.wasm.readOptimizerState()).toBeNull();
    for (const opt of ['sgd', 'momentum', 'adam'] as const) {
      t.wasm.resetOptimizer();
      expect(await t.wasm.readOptimizerState()).toBeNull();
      await t.wasm.trainEpochs([plan(150, opt)], null);
      const state = await t.wasm.readOptimizerState();
      expect(state!.layers.map((l) => [l.w.length, l.b.length])).toEqual([[optimizerSlots(resolveOptimizer(opt)), optimizerSlots(resolveOptimizer(opt))], [optimizerSlots(resolveOptimizer(opt)), optimizerSlots(resolveOptimizer(opt))]]);
    }
  });

  it('the checkpoint is the current state; kept best parameters come back without touching the optimizer state', async () => {
    const t = await twins(net);
    await t.wasm.setTrainingData(toInputs(x, t.net), toTargets(y, t.net, 150), 16);
    await t.wasm.trainEpochs([plan(150, 'adam')], null);
    const checkpoint = t.wasm.lastCheckpoint()!;
    expect(flatParams(checkpoint.params)).toEqual(flatParams(await t.wasm.readParams()));
    expect(checkpoint.optimizer).toEqual(await t.wasm.readOptimizerState());
    t.wasm.keepBestParams();
    await t.wasm.trainEpochs([plan(150, 'adam', 10)], null);
    const trained = await t.wasm.readOptimizerState();
    expect(flatParams(await t.wasm.readParams())).not.toEqual(flatParams(checkpoint.params));
    expect(await t.wasm.restoreBestParams()).toBe(true);
    expect(flatParams(await t.wasm.readParams())).toEqual(flatParams(checkpoint.params));
    expect(await t.wasm.readOptimizerState()).toEqual(trained);
  });

  it('predict and evaluate run in chunks of the workspace and match the CPU', async () => {
    const t = await twins(net);
    const xd = toInputs(x, t.net);
    const yd = toTargets(y, t.net, 150);
    const failures = differences('predictions of 150 rows', await t.cpu.predict(xd), await t.wasm.predict(xd), { atol: 1e-6, rtol: 1e-5 });
    const [ec, ew] = [await t.cpu.evaluate(xd, yd), await t.wasm.evaluate(xd, yd)];
    expect(ew.correct).toBe(ec.correct);
    expect(Math.abs(ew.lossSum - ec.lossSum)).toBeLessThan(1e-5 * ec.lossSum);
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

describe('wasm: profile', () => {
  it('times every stage of the step and leaves the state as it was: the next training is the same as without it', async () => {
    const [a, b] = [await twins(net), await twins(net)];
    const xd = toInputs(x, a.net);
    const yd = toTargets(y, a.net, 150);
    for (const t of [a, b]) {
      await t.wasm.setTrainingData(xd, yd, 16);
      await t.wasm.trainEpochs([plan(150, 'adam')], null);
    }
    const p = await a.wasm.profile!(xd, yd, plan(150, 'adam', 10), 4);
    expect(p.source).toBe('wall-clock');
    expect(p.launches.map((l) => l.label)).toEqual(['gather', 'forward 0', 'forward 1', 'softmax 1', 'loss', 'dW 1', 'db 1', 'delta 0', 'dW 0', 'db 0', 'update']);
    expect(p.launches.every((l) => l.ms >= 0 && l.kernel.startsWith('wasm:'))).toBe(true);
    expect(p.stepMs).toBeCloseTo(p.launches.reduce((s, l) => s + l.ms, 0), 9);
    for (const t of [a, b]) await t.wasm.trainEpochs([plan(150, 'adam', 10)], null);
    expect(flatParams(await a.wasm.readParams())).toEqual(flatParams(await b.wasm.readParams()));
    expect(await a.wasm.readOptimizerState()).toEqual(await b.wasm.readOptimizerState());
  });
});

describe('wasm: memory', () => {
  it('refuses a plan past 4 GiB before allocating, naming what takes the room', () => {
    // 131 million parameters (near the library's 2^27 cap) with Adam's two slots, and 100 000 byte rows
    const big = resolveConfig({ inputSize: 8192, layers: [{ units: 16000, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'categoricalCrossEntropy' });
    const data = { train: { rows: 100_000, xCols: 8192, yCols: 10, xBytes: 1, yBytes: 1, weights: false } };
    expect(() => planLayout(netShape(big), { rows: 64, slots: 2, data, batches: 1, orderRows: 1 })).toThrow(
      /the wasm backend needs \d+ bytes of memory \(parameters \d+, optimizer state \d+, gradients \d+, workspace \d+, data \(train\) \d+, sample orders and batch table \d+\), more than the 4294967296 bytes \(4 GiB\) a 32-bit WebAssembly memory can address; nothing was allocated/,
    );
  });

  it('switching from SGD to Adam (the plan grows its optimizer slots) with L2 trains as on the CPU', async () => {
    // 3-unit layers: every segment ends in padding the optimizer reads and ΣW² sums
    const odd: ModelConfig = { inputSize: 5, layers: [{ units: 3, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', seed: 12, l2: 0.1 };
    const t = await twins(odd);
    const d = caseData(odd, 40, 'replan');
    const [hc, hw] = [fitHost(t.cpu, t.net), fitHost(t.wasm, t.net)];
    const losses: number[][] = [[], []];
    for (const [i, host] of [hc, hw].entries()) {
      for (const optimizer of ['sgd', 'adam'] as const) {
        host.backend().resetOptimizer();
        host.progress.steps = 0;
        const h = await fitOn(host, d.x, d.y, { epochs: 2, batchSize: 8, learningRate: 0.05, optimizer });
        losses[i].push(...h.epochs.map((e) => e.loss));
      }
    }
    const failures = differences('epoch losses', losses[0], losses[1], { atol: 1e-5, rtol: 1e-4 });
    failures.push(...differences('parameters', flatParams(await t.cpu.readParams()), flatParams(await t.wasm.readParams()), stepTolerance(20)));
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('a gradient region moved by a new plan starts at zero: the optimizer reads its segment padding, which no kernel writes', () => {
    const shape = netShape(resolveConfig({ inputSize: 5, layers: [{ units: 3, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy' }));
    const needs = { rows: 64, slots: 0, data: {}, batches: 1, orderRows: 1 };
    const mem = new WasmMemory(shape, needs);
    mem.u8(0, mem.bytes).fill(0xff);
    const before = mem.layout.grad;
    mem.replan({ ...needs, slots: 2 });
    expect(mem.layout.grad).not.toBe(before);
    expect(Array.from(mem.f32(mem.layout.grad, shape.paramFloats)).every((v) => v === 0)).toBe(true);
  });

  it('refuses training data past 4 GiB and keeps what it held', async () => {
    const t = await twins(net);
    const xd = toInputs(x, t.net);
    const yd = toTargets(y, t.net, 150);
    await t.wasm.setTrainingData(xd, yd, 16);
    const bytes = t.raw.memoryBytes;
    const huge: Dense = { data: new Float32Array(0), rows: 200_000_000, cols: 6 };
    await expect(t.wasm.setTrainingData(huge, { data: new Float32Array(0), rows: 200_000_000, cols: 4 }, 16)).rejects.toThrow(/data \(train\) \d+.*more than the 4294967296 bytes/);
    expect(t.raw.memoryBytes).toBe(bytes);
    await expect(t.wasm.trainEpochs([plan(150, 'sgd')], null)).resolves.toMatchObject({ stopped: false });
  });

  it('a grow the engine refuses is a clear error, and the backend is unchanged', async () => {
    const t = await twins(net);
    const xd = toInputs(x, t.net);
    const yd = toTargets(y, t.net, 150);
    const before = flatParams(await t.wasm.readParams());
    vi.spyOn(WebAssembly.Memory.prototype, 'grow').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    });
    const many = toInputs(caseData(net, 20000, 'grow').x, t.net);
    await expect(t.wasm.setTrainingData(many, toTargets(caseData(net, 20000, 'grow').y, t.net, 20000), 16)).rejects.toThrow(
      /could not grow its memory from \d+ to \d+ bytes \(batches of 64 rows, 0 optimizer slots, data train: 20000 rows\): WebAssembly\.Memory\.grow\(\): Maximum memory size exceeded; nothing was changed/,
    );
    vi.restoreAllMocks();
    await expect(t.wasm.trainEpochs([plan(150, 'sgd')], null)).rejects.toThrow(/before setTrainingData/);
    expect(flatParams(await t.wasm.readParams())).toEqual(before);
    await t.wasm.setTrainingData(xd, yd, 16);
    await expect(t.wasm.trainEpochs([plan(150, 'sgd')], null)).resolves.toMatchObject({ stopped: false });
  });
});

describe('wasm: lifecycle', () => {
  it('training before setTrainingData or after clearTrainingData is refused; a disposed backend refuses everything', async () => {
    const t = await twins(net);
    await expect(t.wasm.trainEpochs([plan(150, 'sgd')], null)).rejects.toThrow(/trainEpochs called before setTrainingData/);
    await t.wasm.setTrainingData(toInputs(x, t.net), toTargets(y, t.net, 150), 16);
    t.wasm.clearTrainingData();
    await expect(t.wasm.trainEpochs([plan(150, 'sgd')], null)).rejects.toThrow(/before setTrainingData/);
    t.wasm.dispose();
    await expect(t.wasm.predict(toInputs(x, t.net))).rejects.toBeInstanceOf(WasmDisposedError);
    await expect(t.wasm.readParams()).rejects.toThrow('the wasm backend was disposed');
    expect(t.wasm.lastCheckpoint()).toBeNull();
    expect(() => t.wasm.keepBestParams()).toThrow(WasmDisposedError);
  });
});
