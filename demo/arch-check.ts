// An architecture edited while a model exists (paused, finished or imported) would be ignored by
// Resume, which continues the existing model. So the page asks: start over with the new
// architecture, or keep the trained model (and put its architecture back in the editor). The old
// model stays until the user confirms.
import type { ModelConfig } from '../src';
import { app, refreshButtons, resetModelViews, resetRunViews, setState, setStatus, ui } from './app';
import { byId } from './dom';
import { readSettings, updateGuard } from './guard-view';

/** What makes two models different networks (training options may change between runs). */
function architecture(c: Pick<ModelConfig, 'layers' | 'loss' | 'l2' | 'l1' | 'huberDelta' | 'freezeBias'>): string {
  const huberDelta = c.loss === 'huber' ? (c.huberDelta ?? 1) : null;
  return JSON.stringify({ layers: c.layers.map((l) => [l.units, l.activation, l.dropout ?? 0]), loss: c.loss, l2: c.l2 ?? 0, l1: c.l1 ?? 0, huberDelta, freezeBias: c.freezeBias ?? false });
}

const shape = (c: Pick<ModelConfig, 'layers'>, inputs: number) => [inputs, ...c.layers.map((l) => l.units)].join('-');

/** Shows or hides the question after an edit (or when a run ends). */
export function checkArchitecture(): void {
  const m = app.model;
  const s = readSettings();
  const idle = app.state === 'stopped' || app.state === 'done' || app.state === 'error' || app.state === 'ready';
  const differs = !!m && !!s && idle && architecture(s) !== architecture(m.config);
  app.archPending = differs;
  byId('arch-confirm').hidden = !differs;
  if (differs) {
    const what = [];
    const dropouts = (c: Pick<ModelConfig, 'layers'>) => c.layers.map((l) => l.dropout ?? 0).join(', ');
    if (shape(m!.config, 0) !== shape(s!, 0) || m!.config.layers.some((l, i) => l.activation !== s!.layers[i]?.activation)) what.push(`${shape(m!.config, m!.config.inputSize)} → ${shape(s!, m!.config.inputSize)}`);
    if (dropouts(m!.config) !== dropouts(s!)) what.push(`dropout ${dropouts(m!.config)} → ${dropouts(s!)}`);
    if (m!.config.loss !== s!.loss) what.push(`loss ${m!.config.loss} → ${s!.loss}`);
    if ((m!.config.l2 ?? 0) !== s!.l2) what.push(`L2 ${m!.config.l2 ?? 0} → ${s!.l2}`);
    if ((m!.config.l1 ?? 0) !== (s!.l1 ?? 0)) what.push(`L1 ${m!.config.l1 ?? 0} → ${s!.l1 ?? 0}`);
    if (m!.config.loss === 'huber' && s!.loss === 'huber' && (m!.config.huberDelta ?? 1) !== (s!.huberDelta ?? 1)) what.push(`Huber δ ${m!.config.huberDelta ?? 1} → ${s!.huberDelta ?? 1}`);
    if ((m!.config.freezeBias ?? false) !== (s!.freezeBias ?? false)) what.push('frozen biases');
    byId('arch-confirm-text').textContent =
      `The architecture in the editor (${what.join(', ')}) differs from the trained model's. Resume would continue the old model, so: start over with a new model (its training so far is discarded), or keep the trained one?`;
  }
  refreshButtons();
}

/** "Start over": drops the model in the worker and everything drawn from it. */
export function startOver(): void {
  app.client.send({ type: 'discard' });
  resetRunViews();
  resetModelViews();
  setState('ready');
  const s = readSettings();
  setStatus(`Ready: press Train for a new ${s && app.dataset ? shape(s, app.dataset.inputSize) : ''} model.`);
}

/** "Keep": puts the trained model's architecture back in the editor. */
export function keepModel(): void {
  const m = app.model;
  if (!m) return;
  ui.editor.setModel({ layers: m.config.layers, loss: m.config.loss, l2: m.config.l2, l1: m.config.l1, huberDelta: m.config.huberDelta, seed: m.config.seed, freezeBias: m.config.freezeBias });
  updateGuard();
  checkArchitecture();
}
