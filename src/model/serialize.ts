import { MAX_PARAMETERS, type ResolvedConfig, describeValue, fanIn, resolveNetSpec } from '../core/config';
import { type Params, paramsToArrays } from '../core/params';
import { normStatsFromArrays, normsFromArrays, normsToArrays } from '../core/norm-params';
import { describeNonNumber, isArray, readList, readRecord } from '../core/inspect';
import type { ModelJSON } from '../core/types';
import { parseJsonText } from '../core/json';

/**
 * Most parameters a model file may declare: the model cap ({@link MAX_PARAMETERS}), checked before any array is read.
 *
 * @example
 * MAX_FILE_PARAMETERS; // 134217728
 */
export const MAX_FILE_PARAMETERS = MAX_PARAMETERS;

/** Checks `list` is an array of `n` entries and returns a snapshot of them. */
function entries(list: unknown, where: string, n: number, unit: string): unknown[] {
  if (!isArray(list)) throw new TypeError(`model file ${where} must list ${n} ${unit}, got ${describeValue(list)}`);
  const out = readList(list, `model file ${where}`, n + 1);
  if (out.length !== n) throw new RangeError(`model file ${where} must list ${n} ${unit}, got ${out.length}`);
  return out;
}

/** Checks one `[n]` row of finite numbers (read by index, once each). */
function numbers(row: unknown, where: string, n: number): void {
  if (!isArray(row)) throw new TypeError(`model file ${where} must have ${n} numbers, got ${describeValue(row)}`);
  const got = row.length;
  if (got !== n) throw new RangeError(`model file ${where} must have ${n} numbers, got ${got}`);
  for (let c = 0; c < n; c++) {
    const v = row[c];
    if (typeof v !== 'number' || v - v !== 0) {
      const E = typeof v === 'number' ? RangeError : TypeError;
      throw new E(`model file ${where}[${c}] must be a finite number, got ${describeNonNumber(v)}`);
    }
  }
}

/**
 * Validates a model file (object or JSON string) completely — format, version, config, every
 * array's length and every number's finiteness — before anything is allocated for it. `norms` is
 * required where a layer has `norm`; other names at the top level are ignored.
 *
 * @example
 * parseModelJSON('{"format":"webgpu-mlp","version":1, ...}');
 */
export function parseModelJSON(input: unknown): ModelJSON {
  const json = typeof input === 'string' ? parseJsonText(input, 'model file') : input;
  const j = readRecord(json, 'model file', ['format', 'version', 'config', 'weights', 'biases', 'norms'], 'a JSON object', 'ignore');
  if (j.format !== 'webgpu-mlp') throw new RangeError(`model file format must be 'webgpu-mlp', got ${describeValue(j.format)}`);
  if (j.version === undefined) throw new TypeError('model file has no version (this library reads version 1)');
  if (j.version !== 1) throw new RangeError(`model file version ${describeValue(j.version)} is not supported (this library reads version 1)`);
  if (j.config === null || typeof j.config !== 'object') throw new TypeError(`model file config must be an object, got ${describeValue(j.config)}`);
  const config = readRecord(j.config, 'model file config', ['inputSize', 'layers', 'loss', 'useBias', 'freezeBias', 'initializer', 'l2', 'l1', 'huberDelta', 'seed']);
  const net = resolveNetSpec(config);
  const weights = entries(j.weights, 'weights', net.layers.length, 'layers');
  const biases = entries(j.biases, 'biases', net.layers.length, 'layers');
  net.layers.forEach((layer, l) => {
    const rows = fanIn(net, l);
    const w = weights[l];
    if (!isArray(w)) throw new TypeError(`model file weights[${l}] must have ${rows} rows, got ${describeValue(w)}`);
    const list = readList(w, `model file weights[${l}]`, rows + 1);
    if (list.length !== rows) throw new RangeError(`model file weights[${l}] must have ${rows} rows, got ${list.length}`);
    list.forEach((row, i) => numbers(row, `weights[${l}][${i}]`, layer.units));
    numbers(biases[l], `biases[${l}]`, layer.units);
  });
  const normed = net.layers.findIndex((layer) => layer.norm);
  if (normed >= 0 && j.norms === undefined) throw new TypeError(`model file has no norms: layers[${normed}] has norm '${net.layers[normed].norm}', whose scale and shift the file must list`);
  const norms = j.norms === undefined ? undefined : normsFromArrays(net, j.norms);
  const base: ModelJSON = { format: 'webgpu-mlp', version: 1, config: config as ModelJSON['config'], weights: weights as number[][][], biases: biases as number[][] };
  return norms && normed >= 0 ? { ...base, norms: normsToArrays(net, norms, normStatsFromArrays(net, j.norms)) } : base;
}

/**
 * The model file of a model with config `net` and parameters `p` (what `toJSON` returns): every
 * value finite (the model never holds others), so `parseModelJSON` reads back whatever this writes.
 *
 * @example
 * JSON.stringify(modelJSON(net, params));
 */
export function modelJSON(net: ResolvedConfig, p: Params): ModelJSON {
  const { initializer, seed, inputSize, layers, loss, useBias, freezeBias, l2 } = net;
  // l1 and huberDelta only where they apply: a file of a model without them stays readable by versions before them
  const extra = { ...(net.l1 > 0 ? { l1: net.l1 } : {}), ...(net.huberDelta !== undefined ? { huberDelta: net.huberDelta } : {}) };
  const w = paramsToArrays(net, p);
  return {
    format: 'webgpu-mlp',
    version: 1,
    config: { inputSize, layers: layers.map((l) => ({ ...l })), loss, useBias, freezeBias, l2, ...extra, initializer: { ...initializer }, seed },
    weights: w.weights,
    biases: w.biases,
    ...(w.norms ? { norms: w.norms } : {}),
  };
}
