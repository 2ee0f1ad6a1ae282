// The library build with its interop and private entries: dist/webgpu-mlp.js stays one module
// with no imports, dist/internal.js (the core's constants and helpers interop shares) imports
// nothing and holds no class, dist/interop.js imports only those two (the same MLP class), and
// the built modules work. Built into a temporary folder with the project's vite.config.ts (mode
// 'lib'), not into dist/.
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
  it('writes three modules: the core and the private entry with no imports, interop importing only those', () => {
    const files = readdirSync(out).filter((f) => f.endsWith('.js')).sort();
    expect(files).toEqual(['internal.js', 'interop.js', 'webgpu-mlp.js']);
    const core = readFileSync(join(out, 'webgpu-mlp.js'), 'utf8');
    const interop = readFileSync(join(out, 'interop.js'), 'utf8');
    const internal = readFileSync(join(out, 'internal.js'), 'utf8');
    expect(importsOf(core)).toEqual([]);
    expect(importsOf(internal)).toEqual([]);
    expect(importsOf(interop).sort()).toEqual(['./internal.js', './webgpu-mlp.js']);
    expect(core).not.toMatch(/safetensors|onnx/i);
    // constants and functions only: no class (the MLP, a backend) is bundled a second time
    expect(internal).not.toMatch(/\bclass\b/);
    expect(interop).not.toMatch(/fitDataset/); // the model's code stays in the core
  });

  it('the private entry holds the core\'s names and caps, and its JSON parser', async () => {
    const internal = await import(/* @vite-ignore */ pathToFileURL(join(out, 'internal.js')).href);
    const config = await import('../src/core/config');
    expect(Object.keys(internal).sort()).toEqual(['ACTIVATIONS', 'LOSSES', 'MAX_PARAMETERS', 'parseJsonText']);
    expect(internal.ACTIVATIONS).toEqual(config.ACTIVATIONS);
    expect(internal.LOSSES).toEqual(config.LOSSES);
    expect(internal.MAX_PARAMETERS).toBe(config.MAX_PARAMETERS);
    expect(internal.parseJsonText('{"a": [1]}', 'x')).toEqual({ a: [1] });
    expect(() => internal.parseJsonText('{a}', 'model.json')).toThrow(/^model\.json is not valid JSON: /);
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
