// The demo's training worker: it owns the dataset and the model, trains with the library's
// public API, and reports to the page. Requests run one after another (a queue), except 'stop'
// and new view options, which act at once, even during a run.
import type { Request } from './protocol';
import { discard, importModel, probe, restore, runCalibration, setDataset, viewOptions } from './worker-jobs';
import { parity } from './worker-parity';
import { message, post, state } from './worker-state';
import { hurryView, train } from './worker-train';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** The newest dataset request; older ones still queued are skipped. */
let latestDataset = 0;
/** One per training request from its arrival, so a stop also cancels a run still queued. */
const controllers = new Set<AbortController>();
let queue: Promise<void> = Promise.resolve();

async function handle(req: Request, controller: AbortController): Promise<void> {
  switch (req.type) {
    case 'probe':
      return probe();
    case 'calibrate':
      return runCalibration(req.backend);
    case 'dataset':
      if (req.id < latestDataset) return; // superseded while queued
      return setDataset(req);
    case 'train':
      return train(req, controller);
    case 'parity':
      return parity(req);
    case 'export':
      if (!state.model) throw new Error('there is no model yet: train or import one first');
      return post({ type: 'exported', json: await state.model.toJSON() });
    case 'import':
      return importModel(req);
    case 'discard':
      return discard();
    case 'restore':
      return restore(req);
    case 'view-options':
      return viewOptions(req);
    case 'stop':
      return;
  }
}

scope.onmessage = (e: MessageEvent<Request>) => {
  const req = e.data;
  if (req.type === 'stop') {
    for (const c of controllers) c.abort();
    post({ type: 'stopping', running: state.running });
    return;
  }
  if (req.type === 'dataset') latestDataset = Math.max(latestDataset, req.id);
  if (req.type === 'view-options' && state.running) {
    state.view = req.options;
    hurryView();
    return;
  }
  const controller = new AbortController();
  if (req.type === 'train') controllers.add(controller);
  queue = queue.then(async () => {
    try {
      await handle(req, controller);
    } catch (err) {
      post({ type: 'error', during: req.type, message: message(err) });
    } finally {
      controllers.delete(controller);
    }
  });
};
