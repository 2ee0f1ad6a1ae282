// The page's state and its widgets, and the few things every part of the page does with them:
// change state (which decides what is enabled), write the status line and the log, and reset
// exactly what depends on the dataset or the model when either changes.
import type { ModelConfig } from '../src';
import { TrainingCharts } from './charts';
import { CsvPanel } from './csv-panel';
import type { EncodedCsv } from './csv';
import { byId, el } from './dom';
import { ArchitectureEditor } from './editor';
import { EpochTable } from './epoch-table';
import type { TrainerName } from './backend-names';
import type { Calibration, Guard } from './guards';
import { MetricsTable } from './metrics-view';
import { NetworkPicture } from './network-view';
import { type DatasetName, PRESETS, type Settings } from './presets';
import type { Report } from './protocol';
import { frames } from './render-queue';
import { TutorialView } from './tutorial-view';
import { DigitsGrid, WeightsPager, drawBoundary } from './views';
import type { TrainerClient } from './worker-client';

export type State = 'starting' | 'loading' | 'ready' | 'training' | 'stopped' | 'done' | 'checking' | 'restoring' | 'error';
export type DatasetReport = Extract<Report, { type: 'dataset' }>;
export type ProbeReport = Extract<Report, { type: 'probe' }>;

/** Everything the page knows; the worker holds the data and the model themselves. */
export const app = {
  state: 'starting' as State,
  name: 'mnist' as DatasetName,
  /** The loaded dataset, or null while loading, after a failed upload, or before a CSV file. */
  dataset: null as DatasetReport | null,
  /** Id of the newest dataset request; reports of older ones are ignored. */
  datasetId: 0,
  /** The worker's current model, as it announced it. */
  model: null as { config: ModelConfig; backend: TrainerName; parameters: number } | null,
  stopping: false,
  /** Said instead of "Ready: press Train." when the next dataset arrives. */
  readyNote: null as string | null,
  probe: null as ProbeReport | null,
  calibrations: {} as Partial<Record<TrainerName, Calibration | string>>,
  guard: null as Guard | null,
  /** The editor's architecture differs from the paused model's, and the user has not chosen yet. */
  archPending: false,
  csv: null as { data: EncodedCsv; file: string } | null,
  settingsFor: structuredClone(PRESETS) as Record<DatasetName, Settings>,
  client: null as unknown as TrainerClient,
};

/** The widgets, built once. `onSettings`, `onCsv` and `onCsvError` are wired by main.ts. */
export const hooks = {
  onSettings: () => {},
  onCsv: (_data: EncodedCsv, _file: string) => {},
  onCsvError: (_message: string) => {},
  onWeightsPage: (_page: number) => {},
  onSample: (_sample: number) => {},
};
export const ui = {
  charts: new TrainingCharts(byId<HTMLCanvasElement>('loss-chart'), byId<HTMLCanvasElement>('accuracy-chart'), byId<HTMLCanvasElement>('rate-chart')),
  epochs: new EpochTable(byId<HTMLTableElement>('epoch-table')),
  editor: new ArchitectureEditor(byId('editor'), () => hooks.onSettings()),
  tutorial: new TutorialView(byId('tutorial')),
  csvPanel: new CsvPanel(byId('csv-options'), (d, f) => hooks.onCsv(d, f), (m) => hooks.onCsvError(m)),
  metrics: new MetricsTable(byId<HTMLTableElement>('metrics')),
  network: new NetworkPicture(byId('network'), (s) => hooks.onSample(s)),
  digits: new DigitsGrid(byId('digits')),
  weights: new WeightsPager(byId('weights-pager'), (p) => hooks.onWeightsPage(p)),
};

export const buttons = {
  train: byId<HTMLButtonElement>('train'),
  stop: byId<HTMLButtonElement>('stop'),
  resume: byId<HTMLButtonElement>('resume'),
  parity: byId<HTMLButtonElement>('parity'),
  export: byId<HTMLButtonElement>('export'),
};

const DATA_INPUTS = ['preset', 'dataset', 'mnist-train', 'mnist-test', 'toy-points', 'toy-noise', 'csv-file', 'csv-target', 'csv-task', 'csv-standardize', 'import-file'];

/** Enables what the state, the dataset, the model and the guard allow. */
export function refreshButtons(): void {
  const s = app.state;
  const busy = s === 'training' || s === 'checking' || s === 'loading' || s === 'starting' || s === 'restoring';
  const refused = app.guard?.level === 'refuse';
  // a value the editor refuses (shown next to its field) blocks every run until it is fixed
  const invalid = ui.editor.invalid;
  buttons.train.disabled = busy || !app.dataset || refused || invalid !== null;
  buttons.train.title = invalid !== null ? `Fix the settings first: ${invalid}` : refused ? `Refused: ${app.guard!.message}` : !app.dataset ? 'Load a dataset first' : '';
  buttons.stop.disabled = s !== 'training' || app.stopping;
  buttons.resume.disabled = busy || !app.model || !app.dataset || app.archPending || invalid !== null;
  buttons.resume.title = invalid !== null ? buttons.train.title : app.archPending ? 'The architecture changed: choose whether to start over first' : '';
  buttons.parity.disabled = busy || !app.dataset || invalid !== null;
  buttons.export.disabled = busy || !app.model;
  const locked = s === 'training' || s === 'checking' || s === 'restoring';
  for (const id of DATA_INPUTS) {
    const input = document.getElementById(id) as HTMLInputElement | null;
    if (input) input.disabled = locked;
  }
}

export function setState(s: State): void {
  app.state = s;
  document.body.dataset.state = s;
  refreshButtons();
}

export function setStatus(text: string, level: 'info' | 'error' = 'info'): void {
  const p = byId('status');
  p.textContent = text;
  p.classList.toggle('error', level === 'error');
}

export function log(level: 'info' | 'warn' | 'error', message: string): void {
  const list = byId('log');
  list.append(el('li', { class: level }, `${new Date().toLocaleTimeString()} ${message}`));
  while (list.children.length > 200) list.firstElementChild!.remove();
  frames.schedule('log-scroll', () => (list.scrollTop = list.scrollHeight));
}

export function banner(text: string, level: 'ok' | 'warn' | 'bad'): void {
  const b = byId('gpu-banner');
  b.textContent = text;
  b.className = `banner ${level === 'ok' ? '' : level}`;
}

/** Clears everything a training run drew: charts, metrics, progress, samples/s and the views. */
export function resetRunViews(): void {
  ui.charts.reset();
  ui.epochs.reset();
  ui.metrics.reset();
  frames.cancel('progress');
  frames.cancel('metrics');
  for (const id of ['samples-per-second', 'epoch-label']) byId(id).textContent = '–';
  byId<HTMLProgressElement>('epoch-progress').value = 0;
  byId<HTMLProgressElement>('run-progress').value = 0;
  ui.network.clear();
  ui.weights.clear();
  byId('parity-result').textContent = '';
  ui.digits.setPredictions(null);
  byId('digits-summary').textContent = '';
  if (app.dataset?.points) drawBoundary(byId<HTMLCanvasElement>('boundary'), app.dataset.points, null);
}

/** Forgets the model on the page: the backend line, the snapshot, the pending architecture question. */
export function resetModelViews(): void {
  app.model = null;
  app.archPending = false;
  app.client.forgetSnapshot();
  byId('arch-confirm').hidden = true;
  const pill = byId('backend');
  pill.textContent = 'no model yet';
  pill.className = 'pill';
  byId('backend-reason').textContent = '';
  byId('adapter').textContent = '–';
}
