// A training run in the worker: creates (or resumes, or moves) the model, trains it with fit on
// the demo's split, and reports progress at most every PROGRESS_MS, views and snapshots at their
// own adaptive rates, and an honest samples/s: samples over the seconds spent in fit, not
// counting the time the demo itself spends drawing, evaluating the test set and posting.
import { type BatchLog, type EpochLog, type FitOptions, type History, MLP } from '../src';
import { backendPill } from './backend-names';
import type { Dataset } from './datasets';
import type { EarlyStoppingOutcome, EpochEntry, Report, Request } from './protocol';
import { rowsOf } from './split';
import { Cadence, partsOf, publish } from './worker-publish';
import { announce, createModel, post, setModel, state } from './worker-state';

type TrainRequest = Extract<Request, { type: 'train' }>;

/** Least milliseconds between progress reports (about two display frames). */
export const PROGRESS_MS = 40;
/** Views: at least 0.4 s apart and at most a tenth of the time. Snapshots: 1 s apart, a twentieth. */
const views = new Cadence(400, 9);
const snapshots = new Cadence(1000, 20);
/** Longest stretch without letting queued messages (stop, view options) run. */
const YIELD_MS = 30;
/** Most epoch logs per progress report (more are thinned evenly, keeping the last). */
const MAX_LOGS = 200;
/** On WebGPU, batch reports arrive in groups of this many (see onBatchEnd in docs/callbacks.md). */
const GPU_GROUP = 32;

/** Asks for the next view as soon as possible (the page changed what it shows). */
export const hurryView = () => views.hurry();

/** Trains the loaded dataset as `req` says; one run at a time. */
export async function train(req: TrainRequest, controller: AbortController): Promise<void> {
  const d = state.data;
  if (!d) throw new Error('no dataset is loaded yet');
  if (state.running) throw new Error('training is already running; stop it first');
  state.running = true;
  try {
    const m = await prepareModel(req);
    // the starting weights, so that even a worker stuck in its first batch can be replaced
    if (req.mode === 'new') await snapshots.run(() => publish(m, d, partsOf(d, req.options.validationSplit), { view: false, snapshot: true, x: 0 }));
    await new TrainingRun(m, d, partsOf(d, req.options.validationSplit)).fit(req.options, controller.signal);
  } finally {
    state.running = false;
  }
}

/** A new model, or the current one (moved to the requested backend when that changed). */
async function prepareModel(req: TrainRequest): Promise<MLP> {
  if (req.mode === 'new' || !state.model) {
    setModel(null);
    const created = await createModel((backend) => MLP.create({ ...req.config, backend }), req.config.backend);
    setModel(created.model);
    state.targetEpochs = req.options.epochs;
    announce(created.model, created.fallback);
    return created.model;
  }
  let m = state.model;
  const wanted = req.config.backend ?? 'auto';
  if (wanted !== 'auto' && m.backend !== wanted) {
    // carry the weights over to the other backend (the optimizer's moments start afresh)
    const json = await m.toJSON();
    const created = await createModel((backend) => MLP.fromJSON(json, { backend }), wanted);
    m.dispose();
    state.model = m = created.model;
    announce(m, created.fallback);
    post({ type: 'log', level: 'info', message: `moved the weights to the ${backendPill(m.backend)} backend; the optimizer state starts afresh` });
  }
  if (state.completedEpochs >= state.targetEpochs) state.targetEpochs = state.completedEpochs + req.options.epochs;
  return m;
}

/** Evenly thins `logs` to at most MAX_LOGS entries, keeping the last. */
const thin = (logs: EpochEntry[]) => (logs.length <= MAX_LOGS ? logs : logs.filter((_, i) => i % Math.ceil(logs.length / MAX_LOGS) === 0 || i === logs.length - 1));

/**
 * One call of fit and what it reports: progress at most every PROGRESS_MS, epoch logs, views and
 * snapshots when due, and the time spent in the demo's own work inside the callbacks (kept out
 * of samples/s).
 */
class TrainingRun {
  private readonly t0 = performance.now();
  private overheadMs = 0;
  private samples = 0;
  private last: BatchLog & { runEpoch: number } = { epoch: 0, batch: 0, batches: 1, size: 0, loss: NaN, accuracy: NaN, runEpoch: state.completedEpochs + 1 };
  private pending: EpochEntry[] = [];
  /** Each epoch of this fit (1-based) as the page reports it. */
  private readonly epochAt: EpochEntry[] = [];
  private nextProgress = 0;
  private lastYield = performance.now();
  /** The backend's reason last shown: 'auto' decides during the first fit, and may move the run to WebGPU. */
  private shownReason: string;

  constructor(
    private readonly m: MLP,
    private readonly d: Dataset,
    private readonly parts: { train: number; validation: number },
  ) {
    this.shownReason = m.backendReason;
  }

  /** Shows where the model trains now and why, when 'auto' decided (stayed, or moved mid-run) since last shown. */
  private showBackend(): void {
    if (this.m.backendReason === this.shownReason) return;
    this.shownReason = this.m.backendReason;
    announce(this.m, null);
  }

  /** Epochs of data seen (the charts' x axis). */
  private get x(): number {
    return state.samplesSeen / this.parts.train;
  }

  private trainSeconds(): number {
    return (performance.now() - this.t0 - this.overheadMs) / 1000;
  }

  /** Runs demo work inside a callback, its time kept out of the samples/s. */
  private async overhead(fn: () => Promise<void> | void): Promise<void> {
    const s = performance.now();
    try {
      await fn();
    } finally {
      this.overheadMs += performance.now() - s;
    }
  }

  progress(): void {
    const { batch, batches, loss, accuracy, runEpoch } = this.last;
    const logs = thin(this.pending);
    post({ type: 'progress', epoch: runEpoch, epochs: state.targetEpochs, batch, batches, x: this.x, loss, accuracy, samples: this.samples, trainSeconds: this.trainSeconds(), logs });
    this.pending = [];
    this.nextProgress = performance.now() + PROGRESS_MS;
  }

  /** Posts a view and/or a snapshot, whichever is due. */
  private publishDue(now: number): Promise<void> {
    const view = views.due(now);
    const snapshot = snapshots.due(now);
    const go = () => publish(this.m, this.d, this.parts, { view, snapshot, x: this.x });
    return this.overhead(async () => {
      if (view && snapshot) await views.run(() => snapshots.run(go));
      else if (view) await views.run(go);
      else if (snapshot) await snapshots.run(go);
    });
  }

  onBatchEnd(log: BatchLog): Promise<void> | void {
    this.samples += log.size;
    state.samplesSeen += log.size;
    this.last = { ...log, runEpoch: state.completedEpochs + 1 };
    const now = performance.now();
    if (now >= this.nextProgress) this.progress();
    // between batches (CPU; wasm, whose reports of a timed group of batches arrive once its
    // weights are in memory) or after each group of GPU_GROUP batches (WebGPU, whose reports
    // arrive together once the group is done) the weights can be read, so long epochs show
    // live views and keep a recent snapshot
    const readable = this.m.backend !== 'webgpu' || log.batch % GPU_GROUP === 0;
    if (readable && log.batch < log.batches && (views.due(now) || snapshots.due(now))) return this.publishDue(now);
  }

  onEpochEnd(log: EpochLog): Promise<void> {
    return this.overhead(async () => {
      this.showBackend();
      const last = this.last;
      const full = last.batch === last.batches && last.epoch === log.epoch;
      if (full) state.completedEpochs++;
      const entry: EpochEntry = { ...log, epoch: full ? state.completedEpochs : state.completedEpochs + last.batch / last.batches, x: this.x };
      this.epochAt[log.epoch] = entry;
      if (this.d.test && (views.due() || state.completedEpochs >= state.targetEpochs)) {
        const t = await this.m.evaluate(this.d.test.x, this.d.test.y);
        entry.testLoss = t.loss;
        entry.testAccuracy = t.accuracy;
      }
      this.pending.push(entry);
      let now = performance.now();
      if (now - this.lastYield >= YIELD_MS) {
        // let queued messages (a stop request) run: many short epochs would otherwise never yield
        await new Promise((r) => setTimeout(r, 0));
        now = this.lastYield = performance.now();
      }
      if (now >= this.nextProgress) this.progress();
      if (views.due(now) || snapshots.due(now)) await this.publishDue(now);
    });
  }

  /** Trains `options.epochs` (or what remains of the target) and reports the end. */
  async fit(options: TrainRequest['options'], signal: AbortSignal): Promise<void> {
    const { d, parts } = this;
    const fitOptions: FitOptions = {
      epochs: state.targetEpochs - state.completedEpochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      optimizer: options.optimizer,
      earlyStopping: options.earlyStopping,
      validationData: parts.validation > 0 ? [rowsOf(d.x, parts.train, parts.validation), d.y.slice(parts.train) as number[]] : undefined,
      signal,
      onBatchEnd: (log) => this.onBatchEnd(log),
      onEpochEnd: (log) => this.onEpochEnd(log),
    };
    let h: History;
    try {
      h = await this.m.fit(rowsOf(d.x, 0, parts.train), d.y.slice(0, parts.train) as number[], fitOptions);
    } finally {
      this.progress();
      this.showBackend();
    }
    const run = { stopped: h.stopped, stopReason: h.stopReason, earlyStopping: this.outcome(h, options), samples: this.samples, trainSeconds: this.trainSeconds(), seconds: (performance.now() - this.t0) / 1000 };
    await this.finish(run);
  }

  /** Early stopping's result with the best epoch numbered as the page numbers epochs, or null without early stopping. */
  private outcome(h: History, options: TrainRequest['options']): EarlyStoppingOutcome | null {
    const es = options.earlyStopping;
    const best = h.bestEpoch === undefined ? undefined : this.epochAt[h.bestEpoch];
    if (!es || !best || h.bestValue === undefined) return null;
    return { monitor: es.monitor ?? 'valLoss', patience: es.patience ?? 0, minDelta: es.minDelta ?? 0, bestEpoch: best.epoch, bestX: best.x, bestValue: h.bestValue, restored: h.restoredBestWeights === true, log: best };
  }

  /** The last view and snapshot, the final evaluations, and the 'done' report. */
  private async finish(run: Pick<Extract<Report, { type: 'done' }>, 'stopped' | 'stopReason' | 'earlyStopping' | 'samples' | 'trainSeconds' | 'seconds'>): Promise<void> {
    const { m, d } = this;
    const regression = await publish(m, d, this.parts, { view: true, snapshot: true, x: this.x, metricRows: Infinity });
    // with a test set the status reports test accuracy, so the (large) training set is not re-evaluated
    const train = d.test ? null : await m.evaluate(d.x, d.y);
    const test = d.test ? await m.evaluate(d.test.x, d.test.y) : null;
    post({ type: 'done', ...run, completedEpochs: state.completedEpochs, targetEpochs: state.targetEpochs, backend: m.backend, train, test, regression });
  }
}
