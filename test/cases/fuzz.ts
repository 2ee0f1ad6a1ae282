// A seeded fuzzer of public calls: each case builds a valid call (a config, its data, fit
// options, a model file, weights) and then mutates one to three things in it — a value replaced
// by something hostile, a name removed or misspelled, a row dropped or made ragged. Every case
// must end either in a clear TypeError/RangeError (short, no raw engine wording) or in success
// with finite parameters that survive toJSON → fromJSON byte for byte; never a hang.
// Shared by the Node test (CPU, thousands of cases) and the browser suite (WebGPU, a sample).
import type { MLP as MLPClass, ModelConfig, gradientCheck as GradientCheck } from '../../src';
import { Rng } from '../../src/core/random';
import { stateFinite } from './state';

type MLPStatic = typeof MLPClass;
type Backend = 'cpu' | 'webgpu';
type Obj = Record<string, unknown>;

const HOLE = Symbol('hole');
const LONG = 'x'.repeat(5000);
/** Values a mutation puts in place of a valid one. */
const HOSTILE: unknown[] = [
  null, undefined, NaN, Infinity, -Infinity, -1, 0, 0.5, 1.5, 3, 7, 100, 1e308, -1e308, 1e39, 5e-324, 2 ** 53, -0,
  '1', '', 'abc', 'adam', 'relu', 'softmax', LONG, true, false, [], [1], [[1]], {}, { type: 'adam' }, () => 1,
  Symbol('s'), BigInt(10), HOLE, Object.create(null), new Float32Array(2), new Int8Array(3),
];
const NAMES = ['epoch', 'learningrate', 'batch_size', 'units', 'activation', 'extra', 'inputsize', 'layer', 'momentum', 'devices', 'type', '__proto__x'];
const RAW = /Cannot read prop|is not a function|Invalid typed array|Cannot convert|is not iterable|undefined is not (a function|an object)|Maximum call stack|is not defined|Illegal invocation|out of memory|Invalid array length/i;

/** One case: what it does (for the failure message) and the call. */
export interface FuzzCase {
  description: string;
  op: 'create' | 'fit' | 'predict' | 'evaluate' | 'setWeights' | 'fromJSON' | 'gradientCheck';
  config: Obj;
  createOptions: Obj;
  fit: Obj;
  x: unknown;
  y: unknown;
  /** Set for setWeights and fromJSON: what is mutated. */
  payload: Obj | null;
}

function pick<T>(rng: Rng, a: readonly T[]): T {
  return a[rng.int(a.length)];
}

/** A valid config, data and fit options. */
function validCall(rng: Rng, backend: Backend, signal: AbortSignal): FuzzCase {
  const inputSize = 1 + rng.int(4);
  const hidden = Array.from({ length: rng.int(3) }, () => ({ units: 1 + rng.int(5), activation: pick(rng, ['sigmoid', 'tanh', 'relu', 'linear']) }));
  const loss = pick(rng, ['sse', 'mse', 'binaryCrossEntropy', 'categoricalCrossEntropy'] as const);
  const out = loss === 'categoricalCrossEntropy' ? { units: 2 + rng.int(3), activation: 'softmax' } : loss === 'binaryCrossEntropy' ? { units: 1 + rng.int(2), activation: 'sigmoid' } : { units: 1 + rng.int(3), activation: pick(rng, ['sigmoid', 'tanh', 'relu', 'linear']) };
  const config: Obj = { inputSize, layers: [...hidden, out], loss, seed: rng.int(1000), backend };
  if (rng.next() < 0.3) config.l2 = pick(rng, [0, 0.01, 0.5]);
  if (rng.next() < 0.3) config.initializer = pick(rng, ['xavier', 'he', 'normal', 'uniform', { type: 'normal', scale: 0.5 }, { type: 'uniform', epsilon: 0.3 }]);
  const rows = 1 + rng.int(8);
  const x = Array.from({ length: rows }, () => Array.from({ length: inputSize }, () => rng.uniform(-2, 2)));
  const k = out.units;
  const y = loss === 'categoricalCrossEntropy' ? Array.from({ length: rows }, () => rng.int(k))
    : loss === 'binaryCrossEntropy' ? Array.from({ length: rows }, () => Array.from({ length: k }, () => rng.int(2)))
    : Array.from({ length: rows }, () => Array.from({ length: k }, () => rng.uniform(-1, 1)));
  const fit: Obj = { epochs: 1 + rng.int(3), batchSize: 1 + rng.int(rows + 2), learningRate: pick(rng, [0.001, 0.05, 0.5]) };
  if (rng.next() < 0.5) fit.optimizer = pick(rng, ['sgd', 'momentum', 'adam', { type: 'adam', beta1: 0.8 }, { type: 'momentum', momentum: 0.5 }]);
  if (rng.next() < 0.3) fit.shuffle = rng.next() < 0.5;
  if (rng.next() < 0.2 && rows >= 4) fit.validationSplit = 0.3;
  if (rng.next() < 0.2) fit.onBatchEnd = () => {};
  if (rng.next() < 0.2) fit.onEpochEnd = () => {};
  if (rng.next() < 0.3) fit.signal = signal;
  const op = pick(rng, ['create', 'fit', 'fit', 'fit', 'predict', 'evaluate', 'setWeights', 'fromJSON', 'gradientCheck'] as const);
  return { description: '', op, config, createOptions: {}, fit, x, y, payload: null };
}

/** Sets `key` of `target` to a hostile value, deletes it, or adds a misspelled name; returns what it did. */
function mutateObject(rng: Rng, target: Obj | unknown[], label: string): string {
  const keys = Object.keys(target);
  const r = rng.next();
  if (r < 0.15 || keys.length === 0) {
    const name = pick(rng, NAMES);
    (target as Obj)[name] = pick(rng, HOSTILE);
    return `${label}.${name} added`;
  }
  const key = pick(rng, keys);
  if (r < 0.25 && !Array.isArray(target)) {
    delete (target as Obj)[key];
    return `${label}.${key} deleted`;
  }
  const v = pick(rng, HOSTILE);
  if (v === HOLE) {
    delete (target as Obj)[key];
    return `${label}.${key} made a hole`;
  }
  (target as Obj)[key] = v;
  return `${label}.${key} = ${describe(v)}`;
}

/** A nested array/object inside `root`, picked at random along a path (the root itself at depth 0). */
function descend(rng: Rng, root: unknown, label: string): { node: Obj | unknown[]; label: string } | null {
  let node = root;
  let path = label;
  for (let depth = rng.int(4); depth > 0; depth--) {
    if (node === null || typeof node !== 'object') break;
    const keys = Object.keys(node as Obj).filter((k) => (node as Obj)[k] !== null && typeof (node as Obj)[k] === 'object' && !ArrayBuffer.isView((node as Obj)[k]));
    if (!keys.length) break;
    const k = pick(rng, keys);
    node = (node as Obj)[k];
    path += `.${k}`;
  }
  return node !== null && typeof node === 'object' && !ArrayBuffer.isView(node) ? { node: node as Obj, label: path } : null;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 20 ? `"${v.slice(0, 10)}…"(${v.length})` : JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return 'Symbol';
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v)) return `[${v.length}]`;
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (v && typeof v === 'object') return '{…}';
  return String(v);
}

/** Case `index` of the run seeded `seed`: a valid call with 1–3 mutations. */
export function fuzzCase(seed: number, index: number, backend: Backend, signal: AbortSignal): FuzzCase {
  const rng = new Rng(seed, `case ${index}`);
  const c = validCall(rng, backend, signal);
  const done: string[] = [];
  // what each call reads (setWeights and fromJSON also get one mutation of their payload when run)
  const targets = (): [string, unknown][] => {
    const config: [string, unknown] = ['config', c.config];
    switch (c.op) {
      case 'create': return [config, config, ['createOptions', c.createOptions]];
      case 'fit': return [config, ['x', c.x], ['y', c.y], ['fit', c.fit], ['fit', c.fit]];
      case 'predict': return [config, ['x', c.x]];
      case 'evaluate': case 'gradientCheck': return [config, ['x', c.x], ['y', c.y]];
      default: return [config];
    }
  };
  const count = 1 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const [name, root] = pick(rng, targets());
    const at = descend(rng, root, name);
    if (!at) continue;
    done.push(mutateObject(rng, at.node, at.label));
  }
  c.description = `${c.op}: ${done.join('; ')}`;
  return c;
}

/** Runs `c` and returns what is wrong with its outcome (empty: a clear refusal or a sound success). */
export async function runFuzzCase(c: FuzzCase, MLP: MLPStatic, gradientCheck: typeof GradientCheck, backend: Backend, device?: GPUDevice, timeoutMs = 10_000): Promise<{ failures: string[]; refused: boolean }> {
  const opts = device ? { device } : {};
  const models: MLPClass[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`HANG: no outcome after ${timeoutMs} ms`)), timeoutMs)));
  const valid = (): ModelConfig => ({ inputSize: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'categoricalCrossEntropy', backend });
  const base = async (): Promise<MLPClass> => {
    // a model built from the config when it is still valid, else a fixed valid one
    const m = await MLP.create(c.config as unknown as ModelConfig, opts).catch(() => MLP.create(valid(), opts));
    models.push(m);
    return m;
  };
  const body = async () => {
    switch (c.op) {
      case 'create':
        models.push(await MLP.create(c.config as unknown as ModelConfig, { ...opts, ...c.createOptions } as never));
        return;
      case 'fit': {
        const m = await base();
        const h = await m.fit(c.x as never, c.y as never, c.fit as never);
        if (!h.epochs.every((l) => Number.isFinite(l.loss))) throw new Error('FAIL: fit resolved with a non-finite epoch loss');
        return;
      }
      case 'predict':
        await (await base()).predict(c.x as never);
        return;
      case 'evaluate':
        await (await base()).evaluate(c.x as never, c.y as never);
        return;
      case 'setWeights': {
        const m = await base();
        const w = await m.getWeights();
        mutateParams(c, w as unknown as Obj);
        await m.setWeights(w);
        return;
      }
      case 'fromJSON': {
        const json = JSON.parse(JSON.stringify(await (await base()).toJSON()));
        mutateParams(c, json);
        models.push(await MLP.fromJSON(json, { backend }, opts));
        return;
      }
      case 'gradientCheck': {
        const m = await base();
        gradientCheck({ config: m.config, weights: await m.getWeights() }, c.x as never, c.y as never);
        return;
      }
    }
  };
  const failures: string[] = [];
  let refused = false;
  try {
    await Promise.race([body(), hang]);
  } catch (e) {
    const err = e as Error;
    const message = String(err?.message ?? err);
    refused = true;
    if (message.startsWith('HANG') || message.startsWith('FAIL')) failures.push(message);
    else if (!(err instanceof TypeError || err instanceof RangeError)) failures.push(`threw ${err?.name ?? typeof err}: ${message.slice(0, 300)}`);
    else if (RAW.test(message)) failures.push(`raw engine message: ${message.slice(0, 300)}`);
    else if (message.length > 400 || message.length < 15) failures.push(`message of ${message.length} characters: ${message.slice(0, 300)}`);
  } finally {
    clearTimeout(timer);
  }
  for (const m of models) {
    if (failures.length === 0) failures.push(...(await soundModel(m, MLP, backend, opts)));
    m.dispose();
  }
  return { failures, refused };
}

/** Replaces one number of a weights object or model file with a hostile value (the case's own random stream). */
function mutateParams(c: FuzzCase, target: Obj): void {
  const rng = new Rng(c.description.length, c.description);
  const at = descend(rng, target, 'payload');
  if (at) c.description += `; ${mutateObject(rng, at.node, at.label)}`;
}

/** A model is sound when its state is finite and toJSON → fromJSON gives back the same weights. */
async function soundModel(m: MLPClass, MLP: MLPStatic, backend: Backend, opts: object): Promise<string[]> {
  if (!(await stateFinite(m))) return ['the model holds non-finite state'];
  const text = JSON.stringify(await m.toJSON());
  const back = await MLP.fromJSON(text, { backend: backend === 'webgpu' ? 'auto' : 'cpu' }, opts).catch((e: Error) => e);
  if (back instanceof Error) return [`toJSON wrote a file fromJSON refuses: ${back.message.slice(0, 200)}`];
  const same = JSON.stringify(await back.getWeights()) === JSON.stringify(await m.getWeights());
  back.dispose();
  return same ? [] : ['fromJSON(toJSON()) gives other weights'];
}
