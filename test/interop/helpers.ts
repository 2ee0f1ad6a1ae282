// Shared by the interop tests: seeded data and models, Debian's Python with torch, comparisons.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MLP, type ModelConfig } from '../../src';
import { architectures, seededRows, trainingData } from './cases';

export { architectures, seededRows, trainingData };

export const PYTHON = '/usr/bin/python3';
export const interopDir = resolve(import.meta.dirname);

/**
 * Why the Python tests cannot run here (null when /usr/bin/python3 imports torch and numpy):
 * `requireTorch` fails the tests with it, saying what to install.
 */
function torchMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot be run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} lacks torch/numpy (${(r.stderr || '').trim().split('\n').pop()})`;
  return null;
}

let torchChecked: string | null | undefined;

/**
 * Fails the calling test, saying how to install it, when Debian's PyTorch is missing: the
 * PyTorch cross-checks are part of `npm test` (`.ci/run` installs python3-torch), never skipped.
 */
export function requireTorch(): void {
  if (torchChecked === undefined) torchChecked = torchMissing();
  if (torchChecked !== null) throw new Error(`this test checks against PyTorch, and ${torchChecked}: install Debian's python3-torch and python3-numpy (apt-get install -y python3-torch python3-numpy; .ci/run does)`);
}

/** Runs a script of test/interop/ with /usr/bin/python3 and parses the JSON it prints last. */
export function runPython<T>(script: string, args: string[], env: NodeJS.ProcessEnv = {}): T {
  const r = spawnSync(PYTHON, [join(interopDir, script), ...args], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env }, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

const made: string[] = [];

/** A fresh temporary directory (removed by {@link removeTempDirs}). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-mlp-interop-'));
  made.push(dir);
  return dir;
}

/** Removes the directories {@link tempDir} made (call it in afterAll). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `value` as JSON into `dir/name` and returns the path. */
export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** Largest |a − b| over two equally shaped matrices (throws on a shape mismatch). */
export function maxDiff(a: ArrayLike<ArrayLike<number>>, b: ArrayLike<ArrayLike<number>>): number {
  if (a.length !== b.length) throw new Error(`row counts differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let r = 0; r < a.length; r++) {
    if (a[r].length !== b[r].length) throw new Error(`row ${r} lengths differ: ${a[r].length} vs ${b[r].length}`);
    for (let c = 0; c < a[r].length; c++) {
      const d = Math.abs(a[r][c] - b[r][c]);
      if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
    }
  }
  return worst;
}

/** Splits a flat array into rows of `cols`. */
export const toRows = (flat: ArrayLike<number>, cols: number): number[][] =>
  Array.from({ length: flat.length / cols }, (_, r) => Array.from({ length: cols }, (_, c) => flat[r * cols + c]));

/** A CPU model of `config`, trained a few epochs on seeded data so its weights are not the initial ones. */
export async function trainedModel(config: ModelConfig): Promise<MLP> {
  const model = await MLP.create({ ...config, backend: 'cpu' });
  const { x, y } = trainingData(config);
  await model.fit(x, y, { epochs: 5, batchSize: 8, learningRate: 0.05, optimizer: 'adam' });
  return model;
}
