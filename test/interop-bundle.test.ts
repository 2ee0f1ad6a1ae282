// The library build with its second entry: dist/webgpu-mlp.js stays one module with no imports,
// dist/interop.js imports only './webgpu-mlp.js' (the same MLP class), and the built pair works.
// Built into a temporary folder with the project's vite.config.ts (mode 'lib'), not into dist/.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxDiff, seededRows, removeTempDirs, tempDir } from './interop/helpers';
import { ort } from './interop/ort-node';

const repoRoot = resolve(import.meta.dirname, '..');
let out: string;

beforeAll(async () => {
  out = tempDir();
  await build({ configFile: resolve(repoRoot, 'vite.config.ts'), mode: 'lib', logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
});

/** Static and dynamic module specifiers a built file imports. */
const importsOf = (code: string): string[] =>
  [...code.matchAll(/(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w$*{},\s]+from\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);

afterAll(removeTempDirs);

describe('library build with the interop entry', () => {
  it('writes two modules: the core with no imports, interop importing only the core', () => {
    const files = readdirSync(out).filter((f) => f.endsWith('.js')).sort();
    expect(files).toEqual(['interop.js', 'webgpu-mlp.js']);
    const core = readFileSync(join(out, 'webgpu-mlp.js'), 'utf8');
    const interop = readFileSync(join(out, 'interop.js'), 'utf8');
    expect(importsOf(core)).toEqual([]);
    expect(importsOf(interop)).toEqual(['./webgpu-mlp.js']);
    expect(core).not.toMatch(/safetensors|onnx/i);
  });

  it('the built interop module works on models of the built core', async () => {
    const core = await import(/* @vite-ignore */ pathToFileURL(join(out, 'webgpu-mlp.js')).href);
    const interop = await import(/* @vite-ignore */ pathToFileURL(join(out, 'interop.js')).href);
    const model = await core.MLP.create({ inputSize: 3, layers: [{ units: 5, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend: 'cpu' });
    const x = seededRows(1, 10, 3);
    const back = await interop.fromSafetensors(await interop.toSafetensors(model));
    expect(back).toBeInstanceOf(core.MLP);
    expect(maxDiff(await model.predict(x), await back.predict(x))).toBeLessThanOrEqual(1e-5);
    const session = await ort.InferenceSession.create(await interop.toOnnx(model));
    const result = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [10, 3]) });
    const rows = Array.from({ length: 10 }, (_, r) => Array.from((result.output.data as Float32Array).subarray(2 * r, 2 * r + 2)));
    expect(maxDiff(await model.predict(x), rows)).toBeLessThanOrEqual(1e-5);
    await session.release();
  });
});
