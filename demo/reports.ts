// What the page does with each report of the training worker. Reports only record what changed
// and queue the drawing; the frame queue draws at most once per display frame.
import { app, banner, log, refreshButtons, resetModelViews, resetRunViews, setState, setStatus, ui } from './app';
import { checkArchitecture } from './arch-check';
import { type TrainerName, backendName, backendPill } from './backend-names';
import { byId } from './dom';
import { fmtDuration, fmtLoss, fmtMetric, fmtRate, pct } from './format';
import { updateGuard } from './guard-view';
import type { Report } from './protocol';
import { TEXT_MS, frames } from './render-queue';
import { bestSentence, earlyStopOpening, earlyStoppingNote } from './run-summary';
import { drawBoundary } from './views';
import { STOP_TIMEOUT_MS } from './worker-client';

type Of<T extends Report['type']> = Extract<Report, { type: T }>;

function onProbe(r: Of<'probe'>): void {
  app.probe = r;
  // without SIMD128 the library's 'auto' (and so the demo) falls back to the float64 CPU path
  const host = r.wasm ? 'WebAssembly SIMD (float32)' : 'the float64 CPU path (this engine lacks WebAssembly SIMD)';
  if (!r.webgpu) banner(`WebGPU is not available here (${r.description}). Training runs on ${host}; everything else works the same.`, 'bad');
  else if (r.software) banner(`WebGPU adapter: ${r.description}. It is a software renderer, so 'auto' will likely train on ${host}, which is faster; pick WebGPU to use it anyway.`, 'warn');
  else banner(`WebGPU adapter: ${r.description}.`, 'ok');
  log('info', `WebGPU probe (in the worker): ${r.webgpu ? r.description : 'unavailable: ' + r.description}; WebAssembly SIMD: ${r.wasm ? 'available' : 'missing'}`);
  updateGuard();
}

function onDataset(r: Of<'dataset'>): void {
  if (r.id !== app.datasetId) return; // a newer request is on its way
  app.dataset = r;
  byId('dataset-info').textContent = `${r.description}.`;
  ui.editor.setOutputUnits(r.outputSize);
  ui.editor.setInputUnits(r.inputSize);
  const regression = r.classes === null;
  ui.metrics.setTask(regression ? 'regression' : 'classification');
  ui.epochs.setTask(regression ? 'regression' : 'classification');
  ui.charts.setKind(regression ? 'r2' : 'accuracy');
  if (r.digits) ui.digits.setDigits(r.digits);
  if (app.state === 'restoring') return; // the run's charts and views stay; 'restored' follows
  resetRunViews();
  resetModelViews();
  updateGuard();
  setState('ready');
  setStatus(app.readyNote ?? 'Ready: press Train.');
  app.readyNote = null;
}

function onModel(r: Of<'model'>): void {
  app.model = { config: r.config, backend: r.backend, parameters: r.parameters };
  const pill = byId('backend');
  pill.textContent = backendPill(r.backend);
  pill.className = `pill ${r.backend}`;
  byId('backend-reason').textContent = r.fallback ?? r.reason;
  byId('adapter').textContent = r.adapter ?? (app.probe?.webgpu ? `none used (the worker found ${app.probe.description})` : 'none');
  log('info', `model: ${r.parameters.toLocaleString('en-US')} parameters on ${r.backend}: ${r.reason}`);
  if (r.fallback) {
    banner(r.fallback, 'bad');
    log('warn', r.fallback);
  }
  if (app.state === 'training' && !app.stopping) setStatus(`Training on ${backendName(r.backend)}…`);
}

/** The newest progress report, drawn at the next frame. */
let latest: Of<'progress'> | null = null;

function onProgress(r: Of<'progress'>): void {
  latest = r;
  if (r.batch > 0) ui.charts.addBatch(r.x, r.loss, r.accuracy);
  if (r.logs.length) {
    ui.charts.addEpochs(r.logs);
    ui.epochs.add(r.logs);
    const l = r.logs[r.logs.length - 1];
    frames.throttle('metrics', () => ui.metrics.showEpoch(l), TEXT_MS);
  }
  frames.throttle('progress', () => {
    const p = latest;
    if (!p || p.batch === 0) return;
    byId<HTMLProgressElement>('epoch-progress').value = p.batch / p.batches;
    byId<HTMLProgressElement>('run-progress').value = Math.min(1, (p.epoch - 1 + p.batch / p.batches) / p.epochs);
    byId('epoch-label').textContent = `epoch ${p.epoch} of ${p.epochs} · batch ${p.batch}/${p.batches}`;
    if (p.trainSeconds > 0) byId('samples-per-second').textContent = fmtRate(p.samples / p.trainSeconds);
  }, TEXT_MS);
}

function onView(r: Of<'view'>): void {
  const d = app.dataset;
  if (r.boundary && d?.points) {
    const b = r.boundary;
    frames.schedule('boundary', () => drawBoundary(byId<HTMLCanvasElement>('boundary'), d.points!, b));
  }
  if (r.digits && d?.digits) {
    const p = r.digits;
    frames.schedule('digits', () => {
      const wrong = ui.digits.setPredictions(p);
      byId('digits-summary').textContent = `(${p.length - wrong} of ${p.length} right; wrong ones in red, with the true label)`;
    });
  }
  if (r.weights) {
    const w = r.weights;
    frames.schedule('weights', () => ui.weights.show(w));
  }
  if (r.network) ui.network.show(r.network);
  if (r.regression) {
    const reg = r.regression;
    ui.charts.addRegression(reg);
    frames.schedule('regression', () => ui.metrics.showRegression(reg));
  }
}

/** "accuracy on all N rows …" or "MAE …, R² … on all N rows" (and the loss) after a run. */
function quality(r: Of<'done'>): string {
  if (r.test) return `test accuracy ${pct(r.test.accuracy)}`;
  if (!r.train) return '';
  if (r.regression) return `MAE ${fmtMetric(r.regression.train.mae)}, R² ${fmtMetric(r.regression.train.r2)} on the training rows, loss ${fmtLoss(r.train.loss)}`;
  return `accuracy on all ${app.dataset?.rows ?? ''} rows ${pct(r.train.accuracy)}, loss ${fmtLoss(r.train.loss)}`;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function onDone(r: Of<'done'>): void {
  app.stopping = false;
  // the run's last progress and metrics are shown now, not a frame later
  frames.flush('progress');
  frames.flush('metrics');
  // with the best epoch's weights restored, the table shows that epoch's figures
  if (r.earlyStopping?.restored) ui.metrics.showEpoch(r.earlyStopping.log);
  if (r.test) ui.metrics.showTest(r.test);
  if (r.regression) ui.metrics.showRegression(r.regression);
  const rate = r.trainSeconds > 0 ? r.samples / r.trainSeconds : NaN;
  if (Number.isFinite(rate)) byId('samples-per-second').textContent = fmtRate(rate);
  const where = backendName(r.backend);
  const speed = `${r.samples.toLocaleString('en-US')} samples in ${fmtDuration(r.trainSeconds)} of training, ${fmtRate(rate)} samples/s`;
  const es = r.earlyStopping;
  if (es) {
    ui.charts.markBest(es.bestEpoch, es.bestX);
    ui.epochs.markBest(es.bestEpoch);
  }
  const early = earlyStopOpening(r);
  if (r.stopped) {
    setState('stopped');
    setStatus(`Stopped after ${r.completedEpochs} full epoch(s) of ${r.targetEpochs} on ${where} (${r.seconds.toFixed(1)} s; ${speed}); ${quality(r)}.${earlyStoppingNote(r)} Resume continues from the current weights.`);
  } else if (early && es) {
    setState('done');
    setStatus(`${early}, on ${where} in ${r.seconds.toFixed(1)} s (${speed}). ${bestSentence(es)} ${capitalize(quality(r))}.`);
  } else {
    setState('done');
    setStatus(`Trained ${r.completedEpochs} epoch(s) on ${where} in ${r.seconds.toFixed(1)} s (${speed}); ${quality(r)}.${earlyStoppingNote(r)}`);
  }
  log('info', byId('status').textContent ?? '');
  checkArchitecture();
}

/** "max |w_cpu − w_gpu| = …" for one float32 backend (gpu for WebGPU, wasm for WebAssembly). */
const parityTag = (b: Of<'parity'>['runs'][number]['backend']) => (b === 'webgpu' ? 'gpu' : 'wasm');

function onParity(r: Of<'parity'>): void {
  const diffs = r.runs.map((p) => `max |w_cpu − w_${parityTag(p.backend)}| = ${p.maxWeightDiff.toExponential(2)} (max relative ${p.maxRelativeDiff.toExponential(2)})`);
  const losses = [`cpu ${fmtLoss(r.lossCpu)}`, ...r.runs.map((p) => `${parityTag(p.backend)} ${fmtLoss(p.loss)}`)];
  const times = [`${r.cpuSeconds.toFixed(2)} s on the CPU`, ...r.runs.map((p) => `${p.seconds.toFixed(2)} s on ${p.backend === 'webgpu' ? (p.adapter ?? 'WebGPU') : 'WebAssembly'}`)];
  const skipped = r.skipped.length ? ` Not compared: ${r.skipped.join('; ')}.` : '';
  const text = `${r.steps} steps of batch ${r.batchSize} from the same seed: ${diffs.join('; ')}; mean loss ${losses.join(', ')}; ${times.join(', ')}.${skipped}`;
  byId('parity-result').textContent = text;
  log('info', `parity: ${text}`);
  setState(app.model ? 'done' : 'ready');
}

function onImported(r: Of<'imported'>): void {
  ui.editor.setModel({ layers: r.config.layers, loss: r.config.loss, l2: r.config.l2, l1: r.config.l1, huberDelta: r.config.huberDelta, seed: r.config.seed, freezeBias: r.config.freezeBias });
  updateGuard();
  ui.charts.reset();
  ui.epochs.reset();
  ui.metrics.reset();
  ui.metrics.showTrain(r.train);
  if (r.test) ui.metrics.showTest(r.test);
  if (r.regression) ui.metrics.showRegression(r.regression);
  setState('done');
  const q = r.regression ? `R² on the training rows ${fmtMetric(r.regression.train.r2)}` : `accuracy on the training rows ${pct(r.train.accuracy)}`;
  setStatus(`Imported the model: ${q}` + (r.test ? `, test accuracy ${pct(r.test.accuracy)}` : '') + '. Resume trains it further.');
  checkArchitecture();
}

/** The backends a calibration error can name (`during: 'calibrate:<backend>'`). */
const CALIBRATED: TrainerName[] = ['cpu', 'webgpu', 'wasm'];

function onError(r: Of<'error'>): void {
  log('error', `${r.during}: ${r.message}`);
  if (r.during.startsWith('calibrate:')) {
    const backend = CALIBRATED.find((b) => r.during === `calibrate:${b}`);
    if (backend) app.calibrations[backend] = `calibration failed: ${r.message}`;
    return updateGuard();
  }
  if (r.during === 'parity') {
    byId('parity-result').textContent = r.message;
    return setState(app.model ? 'done' : 'ready');
  }
  if (r.during === 'dataset') {
    app.dataset = null;
    byId('dataset-info').textContent = r.message;
    updateGuard();
  }
  if (r.during === 'restore') app.model = null;
  app.stopping = false;
  setState('error');
  setStatus(r.message, 'error');
}

/** Handles one report of the worker. */
export function handleReport(r: Report): void {
  switch (r.type) {
    case 'probe':
      return onProbe(r);
    case 'calibration':
      app.calibrations[r.backend] = r;
      return updateGuard();
    case 'dataset':
      return onDataset(r);
    case 'model':
      return onModel(r);
    case 'progress':
      return onProgress(r);
    case 'view':
      return onView(r);
    case 'done':
      return onDone(r);
    case 'parity':
      return onParity(r);
    case 'imported':
      return onImported(r);
    case 'restored':
      setState('stopped');
      setStatus(
        `Stopped. The worker did not answer Stop within ${STOP_TIMEOUT_MS / 1000} s, so it was closed and a new one took over with the weights the old one last reported ` +
          `(${r.parameters.toLocaleString('en-US')} parameters, after ${r.completedEpochs} full epoch(s)). Resume continues from them.`,
      );
      return checkArchitecture();
    case 'discarded':
      return refreshButtons();
    case 'exported':
      return; // handled by main.ts (it knows the file name)
    case 'snapshot':
      return;
    case 'stopping':
      if (app.state === 'training' && r.running && app.model?.backend === 'webgpu') setStatus('Stopping: WebGPU finishes its current group of up to 32 batches…');
      return;
    case 'log':
      return log(r.level, r.message);
    case 'error':
      return onError(r);
  }
}
