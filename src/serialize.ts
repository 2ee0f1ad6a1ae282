import { describeValue, fanIn, resolveNetSpec } from './config';
import type { ModelJSON } from './types';

/** Most parameters a model file may declare (guards against hostile sizes before allocation). */
export const MAX_FILE_PARAMETERS = 1 << 28;

/**
 * Validates a model file (object or JSON string) completely — format, version, config, every
 * array's length and every number's finiteness — before anything is allocated for it.
 *
 * @example
 * parseModelJSON('{"format":"webgpu-mlp","version":1, ...}');
 */
export function parseModelJSON(input: unknown): ModelJSON {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new SyntaxError(`model file is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new TypeError(`model file must be a JSON object, got ${describeValue(json)}`);
  const j = json as Record<string, unknown>;
  if (j.format !== 'webgpu-mlp') throw new RangeError(`model file format must be 'webgpu-mlp', got ${describeValue(j.format)}`);
  if (j.version !== 1) throw new RangeError(`model file version ${describeValue(j.version)} is not supported (this library reads version 1)`);
  if (j.config === null || typeof j.config !== 'object') throw new TypeError(`model file config must be an object, got ${describeValue(j.config)}`);
  const config = j.config as ModelJSON['config'];
  const net = resolveNetSpec(config as Parameters<typeof resolveNetSpec>[0]);
  let total = 0;
  net.layers.forEach((layer, l) => (total += (fanIn(net, l) + 1) * layer.units));
  if (total > MAX_FILE_PARAMETERS) throw new RangeError(`model file declares ${total} parameters, more than the ${MAX_FILE_PARAMETERS} this reader accepts`);
  const { weights, biases } = j as { weights: unknown; biases: unknown };
  if (!Array.isArray(weights) || weights.length !== net.layers.length) {
    throw new RangeError(`model file weights must list ${net.layers.length} layers, got ${Array.isArray(weights) ? weights.length : describeValue(weights)}`);
  }
  if (!Array.isArray(biases) || biases.length !== net.layers.length) {
    throw new RangeError(`model file biases must list ${net.layers.length} layers, got ${Array.isArray(biases) ? biases.length : describeValue(biases)}`);
  }
  net.layers.forEach((layer, l) => {
    const rows = fanIn(net, l);
    const w = weights[l];
    if (!Array.isArray(w) || w.length !== rows) throw new RangeError(`model file weights[${l}] must have ${rows} rows, got ${Array.isArray(w) ? w.length : describeValue(w)}`);
    for (let i = 0; i < rows; i++) {
      const row = w[i];
      if (!Array.isArray(row) || row.length !== layer.units) {
        throw new RangeError(`model file weights[${l}][${i}] must have ${layer.units} numbers, got ${Array.isArray(row) ? row.length : describeValue(row)}`);
      }
      for (let c = 0; c < row.length; c++) {
        if (typeof row[c] !== 'number' || !Number.isFinite(row[c])) throw new RangeError(`model file weights[${l}][${i}][${c}] must be a finite number, got ${describeValue(row[c])}`);
      }
    }
    const b = biases[l];
    if (!Array.isArray(b) || b.length !== layer.units) throw new RangeError(`model file biases[${l}] must have ${layer.units} numbers, got ${Array.isArray(b) ? b.length : describeValue(b)}`);
    for (let c = 0; c < b.length; c++) {
      if (typeof b[c] !== 'number' || !Number.isFinite(b[c])) throw new RangeError(`model file biases[${l}][${c}] must be a finite number, got ${describeValue(b[c])}`);
    }
  });
  return { format: 'webgpu-mlp', version: 1, config, weights: weights as number[][][], biases: biases as number[][] };
}
