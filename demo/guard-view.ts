// The editor's size line and verdict: parameters, memory, the estimated time per epoch on the
// backend that will train, the split, and a warning or a refusal. Asks the worker for a
// calibration of that backend the first time it is needed.
import { AUTO_MIN_PARAMETERS, type BackendName } from '../src';
import { app, refreshButtons, ui } from './app';
import { byId } from './dom';
import { fmtBytes, fmtCount, fmtDuration } from './format';
import { guard, parameterCount } from './guards';
import type { Settings } from './presets';
import { splitCounts } from './split';

/** The backend a run with `choice` will use for a network of `parameters` (as MLP.create decides). */
export function effectiveBackend(choice: BackendName, parameters: number): 'cpu' | 'webgpu' {
  const p = app.probe;
  if (!p?.webgpu) return 'cpu';
  if (choice === 'webgpu') return 'webgpu';
  if (choice === 'cpu') return 'cpu';
  return !p.software && parameters >= AUTO_MIN_PARAMETERS ? 'webgpu' : 'cpu';
}

/** The editor's settings, or null when a field is invalid. */
export function readSettings(): Settings | null {
  try {
    return ui.editor.get();
  } catch {
    return null;
  }
}

const name = (b: 'cpu' | 'webgpu') => (b === 'webgpu' ? 'WebGPU' : 'the CPU');

/** Recomputes and shows the size line, the split and the verdict. */
export function updateGuard(): void {
  const s = readSettings();
  const d = app.dataset;
  const params = byId('parameters');
  const verdict = byId('guard');
  if (!d || !s) {
    app.guard = null;
    params.textContent = d ? '' : 'Sizes and time per epoch appear once the dataset is loaded.';
    verdict.hidden = true;
    byId('split').textContent = '';
    refreshButtons();
    return;
  }
  const count = parameterCount(d.inputSize, s.layers);
  const backend = effectiveBackend(s.backend, count);
  const split = splitCounts(d.rows, s.validationSplit);
  const calibration = app.calibrations[backend];
  if (calibration === undefined) {
    app.calibrations[backend] = 'measuring';
    app.client.send({ type: 'calibrate', backend });
  }
  const g = guard({
    inputSize: d.inputSize,
    layers: s.layers,
    optimizer: s.optimizer,
    batchSize: s.batchSize,
    trainRows: split.train,
    evalRows: split.validation + d.testRows,
    backend,
    calibration: typeof calibration === 'object' ? calibration : null,
    maxBindingBytes: backend === 'webgpu' ? (app.probe?.maxBindingBytes ?? null) : null,
  });
  app.guard = g;
  const time =
    g.epochSeconds !== null
      ? `≈ ${fmtDuration(g.epochSeconds)} per epoch on ${name(backend)}`
      : typeof calibration === 'string' && calibration !== 'measuring'
        ? `time per epoch unknown (${calibration})`
        : `time per epoch: measuring ${name(backend)}…`;
  params.textContent = `${[d.inputSize, ...s.layers.map((l) => l.units)].join('-')} network, ${fmtCount(g.parameters)} parameters · about ${fmtBytes(g.bytes)} · ${time}`;
  verdict.hidden = g.message === null;
  verdict.textContent = g.message ? (g.level === 'refuse' ? `Refused: ${g.message}` : g.message) : '';
  verdict.className = `guard ${g.level}`;
  const held = split.validation > 0 ? `${fmtCount(split.validation)} held out for validation (${Math.round(s.validationSplit * 100)}%, the same rows every time)` : 'none held out for validation';
  byId('split').textContent = `Split: ${fmtCount(split.train)} rows to train on, ${held}` + (d.testRows ? `; ${fmtCount(d.testRows)} test rows` : '') + '.';
  refreshButtons();
}
