// Measures an MNIST preset of the demo (the default one unless named) on the CPU path in Node:
// trains on the real training images exactly as the page does (rows shuffled once with the
// demo's seed, the last 10% held out for validation) and prints the test accuracy on the 10 000
// test images.
//
//   node demo/check-mnist-defaults.mjs [trainCount=60000] [epochs=preset] [preset=mnist]
//   node demo/check-mnist-defaults.mjs 60000 12 mnist-features
import { fitOptions, lib, loadMnist, mnistPreset, presets, split } from './mnist-node.mjs';

const trainCount = Number(process.argv[2] ?? 60000);
const preset = mnistPreset(process.argv[4] ?? 'mnist');
const settings = { ...preset.settings, backend: 'cpu' };
const epochs = Number(process.argv[3] ?? settings.epochs);
const { train, test } = loadMnist(trainCount);
const parts = split.splitCounts(trainCount, settings.validationSplit);

const config = presets.modelConfig('mnist', settings, 784);
console.log(`config ${JSON.stringify(config)}`);
console.log(`preset '${preset.label}'; fit: ${parts.train} images (${parts.validation} held out), ${epochs} epochs, ${JSON.stringify({ ...settings, layers: undefined })}`);
const model = await lib.MLP.create(config);
const t0 = performance.now();
const history = await model.fit(split.rowsOf(train.x, 0, parts.train), train.labels.slice(0, parts.train), fitOptions(settings, train, parts, epochs, (log) =>
  console.log(
    `epoch ${log.epoch}: loss ${log.loss.toFixed(4)} acc ${(log.accuracy * 100).toFixed(2)}% val loss ${log.valLoss?.toFixed(4)} val acc ${((log.valAccuracy ?? 0) * 100).toFixed(2)}% ` +
      `η ${log.learningRate.toExponential(2)} (${log.seconds.toFixed(1)} s, ${Math.round(log.samplesPerSecond)} samples/s)`,
  ),
));
const result = await model.evaluate(test.x, test.labels);
const stopping = settings.earlyStopping ? `; stopReason ${history.stopReason}, best epoch ${history.bestEpoch} (${settings.earlyStopping.monitor ?? 'valLoss'} ${history.bestValue?.toFixed(4)}), restored ${history.restoredBestWeights}` : '';
console.log(`backend ${history.backend}${stopping}; ${((performance.now() - t0) / 1000).toFixed(1)} s; test accuracy ${(result.accuracy * 100).toFixed(2)}% on ${test.labels.length} images, test loss ${result.loss.toFixed(4)}`);
