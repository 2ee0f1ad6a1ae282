// Past one machine: a model and a training set exported here continue training under PyTorch
// DistributedDataParallel (test/interop/ddp_train.py, 2 CPU processes with gloo on 127.0.0.1),
// the loss falls, and the result imported back with fromSafetensors predicts as PyTorch does.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MLP, type ModelConfig, Rng } from '../src';
import { datasetToSafetensors, fromSafetensors, toSafetensors } from '../src/interop';
import { PYTHON, interopDir, maxDiff, removeTempDirs, tempDir, requireTorch } from './interop/helpers';

const TOL = 1e-5;

interface Report {
  worldSize: number;
  backend: string;
  initialLoss: number;
  finalLoss: number;
  epochLosses: number[];
  predictions: number[][];
}

/** Three noisy interleaved spirals, 240 rows (inputs already float32 values). */
function spirals(): { x: number[][]; y: number[] } {
  const rng = new Rng(4, 'spirals');
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 240; i++) {
    const c = i % 3;
    const r = (i / 240) * 2 + 0.2;
    const t = c * ((2 * Math.PI) / 3) + r * 2 + rng.normal() * 0.15;
    x.push([Math.fround(r * Math.cos(t)), Math.fround(r * Math.sin(t))]);
    y.push(c);
  }
  return { x, y };
}

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/** Runs one process with exactly `env`; resolves with its output, rejects with it when the exit status is not 0. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(PYTHON, [join(interopDir, 'ddp_train.py'), ...args], { env: { PYTHONDONTWRITEBYTECODE: '1', ...env }, timeout: 120_000 });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`ddp_train.py ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

async function exported(dir: string) {
  const config: ModelConfig = { inputSize: 2, layers: [{ units: 16, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'categoricalCrossEntropy', l2: 0.001, seed: 2, backend: 'cpu' };
  const model = await MLP.create(config);
  const { x, y } = spirals();
  await model.fit(x, y, { epochs: 2, batchSize: 16, learningRate: 0.05, optimizer: 'adam' });
  writeFileSync(join(dir, 'model.safetensors'), await toSafetensors(model));
  writeFileSync(join(dir, 'data.safetensors'), await datasetToSafetensors(model, x, y));
  return { model, x, y };
}

function check(report: Report, label: string) {
  console.log(`${label}: world size ${report.worldSize} (${report.backend}), loss ${report.initialLoss.toFixed(4)} -> ${report.finalLoss.toFixed(4)}; epoch losses ${report.epochLosses.map((l) => l.toFixed(4)).join(' ')}`);
  expect(report.worldSize).toBe(2);
  expect(report.backend).toBe('gloo');
  expect(report.finalLoss).toBeLessThan(report.initialLoss * 0.9);
  expect(report.epochLosses[report.epochLosses.length - 1]).toBeLessThan(report.epochLosses[0]);
}

afterAll(removeTempDirs);

describe('continuing training with PyTorch DistributedDataParallel', () => {
  it('two processes with RANK / WORLD_SIZE / MASTER_ADDR / MASTER_PORT set (as torchrun does): loss falls, the result imports back', async () => {
    requireTorch();
    const dir = tempDir();
    const { model, x, y } = await exported(dir);
    const before = await model.evaluate(x, y);
    const port = await freePort();
    const args = ['--model', join(dir, 'model.safetensors'), '--data', join(dir, 'data.safetensors'), '--out', join(dir, 'trained.safetensors'), '--report', join(dir, 'report.json'), '--epochs', '12', '--batch-size', '16', '--lr', '0.2', '--optimizer', 'momentum'];
    const common = { WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) };
    const [log] = await Promise.all([0, 1].map((rank) => run(args, { ...process.env, ...common, RANK: String(rank), LOCAL_RANK: String(rank) })));
    expect(log).toMatch(/\{"epoch": 12, "loss": [\d.e-]+\}/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    check(report, 'DDP via environment');
    // PyTorch's objective is the library's loss: the same value on the exported starting point
    expect(Math.abs(report.initialLoss - before.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, before.loss));

    const trained = await fromSafetensors(readFileSync(join(dir, 'trained.safetensors')), { config: { backend: 'cpu' } });
    expect(trained.config).toMatchObject({ inputSize: 2, layers: model.config.layers, loss: 'categoricalCrossEntropy', l2: 0.001 });
    const diff = maxDiff(await trained.predict(x), report.predictions);
    console.log(`DDP-trained safetensors -> here: max |prediction difference| vs PyTorch = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOL);
    const after = await trained.evaluate(x, y);
    expect(Math.abs(after.loss - report.finalLoss)).toBeLessThanOrEqual(1e-5 * Math.max(1, after.loss));
    // and training continues here from PyTorch's weights
    const more = await trained.fit(x, y, { epochs: 2, batchSize: 16, learningRate: 0.01, optimizer: 'adam' });
    expect(more.epochs[1].loss).toBeLessThan(before.loss);
  });

  it('the same script started once with --nprocs 2 (torch.multiprocessing.spawn on 127.0.0.1, a free port)', async () => {
    requireTorch();
    const dir = tempDir();
    const { x } = await exported(dir);
    const args = ['--nprocs', '2', '--model', join(dir, 'model.safetensors'), '--data', join(dir, 'data.safetensors'), '--out', join(dir, 'trained.safetensors'), '--report', join(dir, 'report.json'), '--epochs', '6', '--batch-size', '16', '--lr', '0.2', '--optimizer', 'momentum'];
    const env = { ...process.env };
    for (const k of ['RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT']) delete env[k];
    await run(args, env);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    check(report, 'DDP via --nprocs');
    const trained = await fromSafetensors(readFileSync(join(dir, 'trained.safetensors')), { config: { backend: 'cpu' } });
    expect(maxDiff(await trained.predict(x), report.predictions)).toBeLessThanOrEqual(TOL);
  });
});
