// Measures MNIST presets of the demo side by side on one backend in Node (wasm unless named): each
// trains on the real training images as the page does (rows shuffled once with the demo's seed,
// the last 10% held out for validation) for its own epochs, then is evaluated on the 10 000 test
// images. Prints one line per epoch and a summary table.
//
//   node demo/check-mnist-presets.mjs [trainCount=60000] [backend=wasm] [presets=mnist,mnist-deep-residual,mnist-deep-norm]
import { fitOptions, lib, loadMnist, mnistPreset, presets, split } from './mnist-node.mjs';

const trainCount = Number(process.argv[2] ?? 60000);
const backend = process.argv[3] ?? 'wasm';
const chosen = (process.argv[4] ?? 'mnist,mnist-deep-residual,mnist-deep-norm').split(',').map(mnistPreset);
const { train, test } = loadMnist(trainCount);

const rows = [];
for (const preset of chosen) {
  const settings = { ...preset.settings, backend };
  const parts = split.splitCounts(trainCount, settings.validationSplit);
  const config = presets.modelConfig('mnist', settings, 784);
  console.log(`preset '${preset.label}'; fit: ${parts.train} images (${parts.validation} held out), ${settings.epochs} epochs, config ${JSON.stringify(config)}`);
  const model = await lib.MLP.create(config);
  const t0 = performance.now();
  const history = await model.fit(split.rowsOf(train.x, 0, parts.train), train.labels.slice(0, parts.train), fitOptions(settings, train, parts, settings.epochs, (log) =>
    console.log(`  epoch ${log.epoch}: loss ${log.loss.toFixed(4)} acc ${(log.accuracy * 100).toFixed(2)}% val acc ${((log.valAccuracy ?? 0) * 100).toFixed(2)}% (${log.seconds.toFixed(1)} s)`),
  ));
  const result = await model.evaluate(test.x, test.labels);
  const seconds = (performance.now() - t0) / 1000;
  rows.push({ id: preset.id, backend: history.backend, epochs: history.epochs.length, accuracy: result.accuracy, loss: result.loss, seconds });
  console.log(`  backend ${history.backend}; ${seconds.toFixed(1)} s; test accuracy ${(result.accuracy * 100).toFixed(2)}% on ${test.labels.length} images, test loss ${result.loss.toFixed(4)}`);
  model.dispose?.();
}
console.log(`\n| preset | backend | epochs | test accuracy | test loss | seconds |\n|---|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.id} | ${r.backend} | ${r.epochs} | ${(r.accuracy * 100).toFixed(2)}% | ${r.loss.toFixed(4)} | ${r.seconds.toFixed(1)} |`);
