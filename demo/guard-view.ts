// The editor's size line and verdict: parameters, memory, the estimated time per epoch on the
// backend that will train (with 'auto', on both, the likelier first), the split, and a warning or
// a refusal. Asks the worker for a calibration of each backend the first time it is needed.
import type { BackendName } from '../src';
import { app, refreshButtons, ui } from './app';
import { type TrainerName, backendName } from './backend-names';
import { byId } from './dom';
import { fmtBytes, fmtCount, fmtDuration } from './format';
import { type Guard, guard } from './guards';
import type { Settings } from './presets';
import { splitCounts } from './split';

/**
 * The backends a run with `choice` may train on. `'auto'` (where WebGPU is available) starts on
 * wasm and times WebGPU during the first fit, moving there when faster, so the guard estimates both;
 * where WebAssembly SIMD is missing, the library's 'auto' uses the CPU in wasm's place.
 */
function possibleBackends(choice: BackendName): TrainerName[] {
  // a run that asks for WebGPU where there is none trains on the CPU (createModel's fallback)
  if (choice === 'webgpu' && !app.probe?.webgpu) return ['cpu'];
  if (choice !== 'auto') return [choice];
  const host: TrainerName = app.probe?.wasm === false ? 'cpu' : 'wasm';
  return app.probe?.webgpu ? ['webgpu', host] : [host];
}

/** A backend's verdict, and whether its calibration is still running. */
interface Option {
  backend: TrainerName;
  g: Guard;
  measuring: boolean;
}

/**
 * Of the verdicts for each possible backend, the one the run will most likely train on: one not
 * refused, then the faster estimate; while one is still being measured, that one (its line says
 * so). A backend whose calibration failed is compared only when nothing else is left.
 */
function likeliest(options: Option[]): Option {
  const open = options.filter((o) => o.g.level !== 'refuse');
  const pool = open.length ? open : options;
  const measuring = pool.find((o) => o.measuring);
  if (measuring) return measuring;
  const timed = pool.filter((o) => o.g.epochSeconds !== null);
  if (!timed.length) return pool[0];
  return timed.reduce((a, b) => (b.g.epochSeconds! < a.g.epochSeconds! ? b : a));
}

/** The editor's settings, or null when a field is invalid. */
export function readSettings(): Settings | null {
  try {
    return ui.editor.get();
  } catch {
    return null;
  }
}

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
  const split = splitCounts(d.rows, s.validationSplit);
  const options: Option[] = possibleBackends(s.backend).map((backend) => {
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
    return { backend, g, measuring: calibration === undefined || calibration === 'measuring' };
  });
  const { backend, g } = likeliest(options);
  const calibration = app.calibrations[backend];
  app.guard = g;
  const other = options.find((o) => o.backend !== backend);
  // 'auto': the other backend's estimate beside the one it should pick
  const alternative = other && other.g.epochSeconds !== null && g.epochSeconds !== null ? ` ('auto' measures both during the first fit; ${backendName(other.backend)}: ≈ ${fmtDuration(other.g.epochSeconds)})` : '';
  const time =
    g.epochSeconds !== null
      ? `≈ ${fmtDuration(g.epochSeconds)} per epoch on ${backendName(backend)}${alternative}`
      : typeof calibration === 'string' && calibration !== 'measuring'
        ? `time per epoch unknown (${calibration})`
        : `time per epoch: measuring ${backendName(backend)}…`;
  params.textContent = `${[d.inputSize, ...s.layers.map((l) => l.units)].join('-')} network, ${fmtCount(g.parameters)} parameters · about ${fmtBytes(g.bytes)} · ${time}`;
  verdict.hidden = g.message === null;
  verdict.textContent = g.message ? (g.level === 'refuse' ? `Refused: ${g.message}` : g.message) : '';
  verdict.className = `guard ${g.level}`;
  const held = split.validation > 0 ? `${fmtCount(split.validation)} held out for validation (${Math.round(s.validationSplit * 100)}%, the same rows every time)` : 'none held out for validation';
  byId('split').textContent = `Split: ${fmtCount(split.train)} rows to train on, ${held}` + (d.testRows ? `; ${fmtCount(d.testRows)} test rows` : '') + '.';
  refreshButtons();
}
