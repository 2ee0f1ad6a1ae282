// The worker recipe of docs/workers.md, from the built library: train in a Web Worker and post progress.
import { MLP } from '/dist/webgpu-mlp.js';

let controller = null;

self.onmessage = async ({ data }) => {
  if (data.type === 'stop') return controller?.abort();
  if (data.type !== 'train') return;
  controller = new AbortController();
  try {
    const model = await MLP.create(data.config);
    self.postMessage({ type: 'model', backend: model.backend, reason: model.backendReason, gpuInWorker: 'gpu' in navigator });
    const history = await model.fit(data.x, data.y, {
      ...data.options,
      signal: controller.signal,
      onEpochEnd: (log) => self.postMessage({ type: 'epoch', log }),
    });
    self.postMessage({ type: 'done', stopped: history.stopped, backend: history.backend, predictions: await model.predict(data.x), model: await model.toJSON() });
    model.dispose();
  } catch (e) {
    self.postMessage({ type: 'error', message: String((e && e.message) || e) });
  }
};
