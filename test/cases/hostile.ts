// Hostile calls against the public API: each must be refused with the named error type and a
// message that names the offending value, leave the model's whole state (weights, biases,
// optimizer slots, step and epoch counters) byte-identical, run none of the caller's code where
// none may run, and echo at most a few hundred characters. Shared by the Node (CPU) test and the
// browser (WebGPU) suite and the wasm suite; `only` marks a case that concerns one backend, or
// the float32 ones (WebGPU and wasm).
import type { MLP as MLPClass, ModelConfig, gradientCheck as GradientCheck } from '../../src';
import { stateBytes } from './state';

type MLPStatic = typeof MLPClass;
type Backend = 'cpu' | 'webgpu' | 'wasm';

/** What a case runs against. */
export interface HostileContext {
  /** A 2-3-2 softmax model trained 2 epochs with Adam (non-zero optimizer state, 4 steps). */
  model: MLPClass;
  MLP: MLPStatic;
  backend: Backend;
  /** Creates a model on the backend under test (sharing the page's device on WebGPU). */
  create: (config: ModelConfig) => Promise<MLPClass>;
  gradientCheck: typeof GradientCheck;
  /** Counts calls of caller code that validation must not run (getters, valueOf, traps). */
  counter: { calls: number };
}

export interface HostileCase {
  name: string;
  run: (c: HostileContext) => Promise<unknown>;
  error: 'TypeError' | 'RangeError' | 'SyntaxError' | 'Error';
  message: RegExp;
  only?: 'cpu' | 'webgpu' | 'float32';
  /** The case legitimately frees the model (dispose races): its state is not compared. */
  altersModel?: boolean;
}

export const BASE = (backend: Backend): ModelConfig => ({
  inputSize: 2,
  layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'softmax' }],
  loss: 'categoricalCrossEntropy',
  seed: 4,
  backend,
});
const X = () => [[0, 1], [1, 0], [1, 1]];
const Y = () => [0, 1, 1];
const FIT = { epochs: 1, batchSize: 2, learningRate: 0.05, optimizer: 'adam' as const };
const weights = () => ({
  weights: [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]],
  biases: [[0, 0.1, 0.2], [0.3, 0.4]],
});
const TRAIN = { epochs: 2, batchSize: 2, learningRate: 0.05, optimizer: 'adam' as const };

/** Non-numbers, each with how a message names it. */
const KINDS: { label: string; make: (c: HostileContext) => unknown; shown: string; hole?: boolean }[] = [
  { label: 'null', make: () => null, shown: 'null' },
  { label: 'undefined', make: () => undefined, shown: 'undefined' },
  { label: 'a numeric string', make: () => '3', shown: '"3" \\(a string\\)' },
  { label: 'a boolean', make: () => true, shown: 'true \\(a boolean\\)' },
  { label: 'an array hole', make: () => undefined, shown: 'an empty slot \\(an array hole\\)', hole: true },
  { label: 'a BigInt', make: () => BigInt(3), shown: '3n \\(a BigInt\\)' },
  { label: 'a Symbol', make: () => Symbol('s'), shown: 'a Symbol' },
  { label: 'an object with valueOf', make: (c) => ({ valueOf: () => (c.counter.calls++, 1), toString: () => (c.counter.calls++, '1') }), shown: 'an object' },
  { label: 'a nested array', make: () => [1], shown: 'an array' },
];

/** `arr` with `value` at `i` (a hole when `hole`). */
function put<T>(arr: T[], i: number, value: unknown, hole?: boolean): T[] {
  const out = arr.slice();
  if (hole) delete out[i];
  else out[i] = value as T;
  return out;
}

/** Where a non-number can go, and the message naming it there. */
const PLACES: { label: string; run: (c: HostileContext, v: unknown, hole?: boolean) => Promise<unknown>; where: string }[] = [
  { label: 'x entry', run: (c, v, h) => c.model.fit(put(X(), 1, put(X()[1], 0, v, h)), Y(), FIT), where: 'x must hold finite numbers, got @ at row 1, column 0' },
  { label: 'x matrix data', run: (c, v, h) => c.model.fit({ data: put([0, 1, 1, 0, 1, 1], 2, v, h), shape: [3, 2] }, Y(), FIT), where: 'x\\.data must hold finite numbers, got @ at row 1, column 0' },
  { label: 'class label in y', run: (c, v, h) => c.model.fit(X(), put(Y(), 1, v, h), FIT), where: 'y must hold finite numbers, got @ at row 1' },
  { label: 'one-hot row of y', run: (c, v, h) => c.model.fit(X(), [[1, 0], put([0, 1], 0, v, h), [0, 1]], FIT), where: 'y must hold finite numbers, got @ at row 1, column 0' },
  { label: 'validationData inputs', run: (c, v, h) => c.model.fit(X(), Y(), { ...FIT, validationData: [put(X(), 1, put(X()[1], 0, v, h)), Y()] }), where: 'validationData inputs must hold finite numbers, got @ at row 1, column 0' },
  { label: 'setWeights weight', run: (c, v, h) => { const w = weights(); w.weights[0][1] = put(w.weights[0][1], 2, v, h); return c.model.setWeights(w); }, where: 'weights\\[0\\]\\[1\\]\\[2\\] must be a finite number, got @' },
  { label: 'setWeights bias', run: (c, v, h) => { const w = weights(); w.biases[1] = put(w.biases[1], 0, v, h); return c.model.setWeights(w); }, where: 'biases\\[1\\]\\[0\\] must be a finite number, got @' },
  { label: 'config.weights at create', run: (c, v, h) => { const w = weights(); w.weights[1][2] = put(w.weights[1][2], 1, v, h); return c.create({ ...BASE(c.backend), ...w }); }, where: 'weights\\[1\\]\\[2\\]\\[1\\] must be a finite number, got @' },
  { label: 'predict input', run: (c, v, h) => c.model.predict(put(X(), 2, put(X()[2], 1, v, h))), where: 'x must hold finite numbers, got @ at row 2, column 1' },
  { label: 'evaluate label', run: (c, v, h) => c.model.evaluate(X(), put(Y(), 2, v, h)), where: 'y must hold finite numbers, got @ at row 2' },
  { label: 'gradientCheck input', run: async (c, v, h) => c.gradientCheck({ config: BASE('cpu'), weights: weights() }, put(X(), 0, put(X()[0], 1, v, h)), Y()), where: 'x must hold finite numbers, got @ at row 0, column 1' },
];

const generated: HostileCase[] = PLACES.flatMap((p) =>
  KINDS.map((k) => ({
    name: `${k.label} as ${p.label}`,
    run: (c: HostileContext) => p.run(c, k.make(c), k.hole),
    error: 'TypeError' as const,
    message: new RegExp(p.where.replace('@', k.shown)),
  })),
);

const getter = (c: HostileContext, obj: object, key: string | number, value: unknown) =>
  Object.defineProperty(obj, key, { enumerable: true, configurable: true, get: () => (c.counter.calls++, value) });

const data: HostileCase[] = [
  { name: 'x row that is null', run: (c) => c.model.fit([[0, 1], null as never, [1, 1]], Y(), FIT), error: 'TypeError', message: /x\[1\] must be an array \(a row of numbers\), got null/ },
  { name: 'x row that is a string', run: (c) => c.model.fit([[0, 1], '12' as never, [1, 1]], Y(), FIT), error: 'TypeError', message: /x\[1\] must be an array \(a row of numbers\), got "12"/ },
  { name: 'x row that is a hole', run: (c) => c.model.fit(put(X(), 1, undefined, true), Y(), FIT), error: 'TypeError', message: /x\[1\] must be an array \(a row of numbers\), got an empty slot/ },
  { name: 'x row that is a Float64Array', run: (c) => c.model.fit([[0, 1], new Float64Array(2) as never, [1, 1]], Y(), FIT), error: 'TypeError', message: /x\[1\] must be an array \(a row of numbers\), got a Float64Array/ },
  { name: 'x that is a number', run: (c) => c.model.fit(5 as never, Y(), FIT), error: 'TypeError', message: /x must be an array of rows \(number\[\]\[\]\) or \{data, shape\}, got 5/ },
  { name: 'x that is a bare Float32Array', run: (c) => c.model.fit(new Float32Array(6) as never, Y(), FIT), error: 'TypeError', message: /x must be an array of rows .*got a Float32Array/ },
  { name: 'x that is null', run: (c) => c.model.fit(null as never, Y(), FIT), error: 'TypeError', message: /x must be an array of rows .*got null/ },
  { name: 'x with empty rows', run: (c) => c.model.fit([[], [], []], Y(), FIT), error: 'RangeError', message: /x must not be empty, got shape \[3, 0\]/ },
  { name: 'x matrix of BigInts', run: (c) => c.model.fit({ data: new BigInt64Array(6) as never, shape: [3, 2] }, Y(), FIT), error: 'TypeError', message: /x\.data must hold numbers, got a BigInt64Array/ },
  { name: 'x matrix data that is a string', run: (c) => c.model.fit({ data: 'abcdef' as never, shape: [3, 2] }, Y(), FIT), error: 'TypeError', message: /x\.data must be a Float32Array, Float64Array or number\[\], got "abcdef"/ },
  { name: 'x matrix data that is a DataView', run: (c) => c.model.fit({ data: new DataView(new ArrayBuffer(48)) as never, shape: [3, 2] }, Y(), FIT), error: 'TypeError', message: /x\.data must be a Float32Array, Float64Array or number\[\], got an object/ },
  { name: 'x Float64Array matrix with NaN', run: (c) => c.model.fit({ data: Float64Array.of(0, 1, 1, NaN, 1, 1), shape: [3, 2] }, Y(), FIT), error: 'RangeError', message: /x must hold finite numbers, got NaN at row 1, column 1/ },
  { name: 'x Float32Array matrix with Infinity', run: (c) => c.model.fit({ data: Float32Array.of(0, 1, 1, 0, Infinity, 1), shape: [3, 2] }, Y(), FIT), error: 'RangeError', message: /x must hold finite numbers, got Infinity at row 2, column 0/ },
  { name: 'x matrix shape with a fraction', run: (c) => c.model.fit({ data: new Float32Array(6), shape: [1.5, 2] as never }, Y(), FIT), error: 'RangeError', message: /x\.shape must be \[rows, cols\] of non-negative integers, got \[1\.5, 2\]/ },
  { name: 'x matrix shape with a string', run: (c) => c.model.fit({ data: new Float32Array(6), shape: ['3', 2] as never }, Y(), FIT), error: 'RangeError', message: /x\.shape must be \[rows, cols\] .*got \["3", 2\]/ },
  { name: 'x matrix shape of three entries', run: (c) => c.model.fit({ data: new Float32Array(6), shape: [3, 2, 1] as never }, Y(), FIT), error: 'RangeError', message: /x\.shape must be \[rows, cols\] .*got 3 entries/ },
  { name: 'x matrix shape negative', run: (c) => c.model.fit({ data: new Float32Array(6), shape: [-3, 2] as never }, Y(), FIT), error: 'RangeError', message: /x\.shape must be \[rows, cols\] .*got \[-3, 2\]/ },
  { name: 'x matrix with an unknown key', run: (c) => c.model.fit({ data: new Float32Array(6), shape: [3, 2], dtype: 'float32' } as never, Y(), FIT), error: 'TypeError', message: /x has no option "dtype"/ },
  { name: 'x matrix with a misspelled key', run: (c) => c.model.fit({ data: new Float32Array(6), shap: [3, 2] } as never, Y(), FIT), error: 'TypeError', message: /x has no option "shap": did you mean "shape"\?/ },
  { name: 'x matrix data behind a getter (not called)', run: (c) => c.model.fit(getter(c, { shape: [3, 2] }, 'data', new Float32Array(6)) as never, Y(), FIT), error: 'TypeError', message: /x\.data is an accessor \(get\/set\) property; pass a plain value \(its getter is not called\)/ },
  { name: 'x row behind a getter (not called)', run: (c) => c.model.fit(getter(c, X(), 1, [1, 0]) as never, Y(), FIT), error: 'TypeError', message: /x\[1\] is an accessor \(get\/set\) property/ },
  { name: 'x Proxy whose descriptor trap throws', run: (c) => c.model.fit(new Proxy(X(), { getOwnPropertyDescriptor: () => { throw new Error('trap'); } }), Y(), FIT), error: 'TypeError', message: /x could not be read: reading it ran the caller's code \(a Proxy trap or a getter\), which threw an object/ },
  { name: 'x revoked Proxy', run: (c) => { const p = Proxy.revocable(X(), {}); p.revoke(); return c.model.fit(p.proxy, Y(), FIT); }, error: 'TypeError', message: /x could not be read/ },
  { name: 'a billion-slot sparse array as x', run: (c) => c.model.fit(new Array(1e9), Y(), FIT), error: 'TypeError', message: /x must be an array of rows .*got an empty slot \(an array hole\) as row 0/ },
  { name: 'a billion-slot sparse array as y', run: (c) => c.model.fit(X(), new Array(1e9), FIT), error: 'TypeError', message: /y must hold finite numbers, got an empty slot \(an array hole\) at row 0/ },
  { name: 'y class label -1', run: (c) => c.model.fit(X(), [0, -1, 1], FIT), error: 'RangeError', message: /y\[1\] is a class label and must be an integer in \[0, 1\], got -1/ },
  { name: 'y class label NaN', run: (c) => c.model.fit(X(), [0, NaN, 1], FIT), error: 'RangeError', message: /y must hold finite numbers, got NaN at row 1/ },
  { name: 'y rows that are not one-hot', run: (c) => c.model.fit(X(), [[1, 0], [0.25, 0.25], [0, 1]], FIT), error: 'RangeError', message: /y row 1 must be one-hot .* sums to 0\.5/ },
  { name: 'y Int32Array matrix of the wrong length', run: (c) => c.model.fit(X(), { data: new Int32Array(5), shape: [3, 2] }, FIT), error: 'RangeError', message: /y\.data must have shape\[0\]\*shape\[1\] = 6 entries, got 5/ },
  { name: 'y rows of three columns', run: (c) => c.model.fit(X(), [[1, 0, 0], [0, 1, 0], [0, 1, 0]], FIT), error: 'RangeError', message: /y must have 2 columns \(the model's output units\), got 3/ },
  { name: 'validationData inputs of the wrong width', run: (c) => c.model.fit(X(), Y(), { ...FIT, validationData: [[[1, 2, 3]], [0]] }), error: 'RangeError', message: /validationData inputs must have 2 columns \(the model's inputSize\), got 3/ },
  { name: 'validationData targets of the wrong width', run: (c) => c.model.fit(X(), Y(), { ...FIT, validationData: [[[1, 2]], [[0, 1, 0]]] }), error: 'RangeError', message: /validationData targets must have 2 columns \(the model's output units\), got 3/ },
  { name: 'validationData of three entries', run: (c) => c.model.fit(X(), Y(), { ...FIT, validationData: [X(), Y(), Y()] as never }), error: 'RangeError', message: /validationData must be \[inputs, targets\], got an array of 3/ },
  { name: 'validationData that is an object', run: (c) => c.model.fit(X(), Y(), { ...FIT, validationData: { x: X(), y: Y() } as never }), error: 'TypeError', message: /validationData must be \[inputs, targets\], got an object/ },
  { name: 'validationData rows that do not match', run: (c) => c.model.fit(X(), Y(), { ...FIT, validationData: [[[1, 2], [3, 4]], [0]] }), error: 'RangeError', message: /validationData targets must have one row per sample of validationData inputs \(2\), got 1/ },
  { name: 'validationData label out of range', run: (c) => c.model.fit(X(), Y(), { ...FIT, validationData: [[[1, 2]], [5]] }), error: 'RangeError', message: /validationData targets\[0\] is a class label and must be an integer in \[0, 1\], got 5/ },
];

const params: HostileCase[] = [
  { name: 'setWeights without biases', run: (c) => c.model.setWeights({ weights: weights().weights } as never), error: 'TypeError', message: /biases are missing: pass one \[units\] array per layer/ },
  { name: 'setWeights with null', run: (c) => c.model.setWeights(null as never), error: 'TypeError', message: /setWeights argument must be \{weights, biases\}, got null/ },
  { name: 'setWeights with a misspelled key', run: (c) => c.model.setWeights({ ...weights(), bias: [] } as never), error: 'TypeError', message: /setWeights argument has no option "bias": did you mean "biases"\?/ },
  { name: 'setWeights weights behind a getter (not called)', run: (c) => c.model.setWeights(getter(c, { biases: weights().biases }, 'weights', weights().weights) as never), error: 'TypeError', message: /setWeights argument\.weights is an accessor/ },
  { name: 'setWeights biases of the wrong length', run: (c) => c.model.setWeights({ ...weights(), biases: [[0, 0, 0], [0, 0, 0]] }), error: 'RangeError', message: /biases\[1\] must have 2 entries, got 3/ },
  { name: 'setWeights with three layers', run: (c) => c.model.setWeights({ ...weights(), weights: [...weights().weights, [[1]]] }), error: 'RangeError', message: /weights must be an array of 2 layer matrices, got 3 entries/ },
  { name: 'setWeights with a short row', run: (c) => { const w = weights(); w.weights[1][2] = [0.5]; return c.model.setWeights(w); }, error: 'RangeError', message: /weights\[1\]\[2\] must have 2 entries, got 1/ },
  { name: 'setWeights with Infinity', run: (c) => { const w = weights(); w.weights[0][0][1] = Infinity; return c.model.setWeights(w); }, error: 'RangeError', message: /weights\[0\]\[0\]\[1\] must be a finite number, got Infinity/ },
  { name: 'setWeights with a Float64Array row', run: (c) => { const w = weights(); (w.weights[0] as unknown[])[0] = new Float64Array(3); return c.model.setWeights(w); }, error: 'TypeError', message: /weights\[0\]\[0\] must be an array of 3 numbers, got a Float64Array/ },
  { name: 'setWeights beyond float32', only: 'float32', run: (c) => { const w = weights(); w.weights[0][1][2] = 1e39; return c.model.setWeights(w); }, error: 'RangeError', message: /weights\[0\]\[1\]\[2\] is 1e\+39, beyond float32's range/ },
  { name: 'setWeights bias beyond float32', only: 'float32', run: (c) => { const w = weights(); w.biases[1][0] = -1e39; return c.model.setWeights(w); }, error: 'RangeError', message: /biases\[1\]\[0\] is -1e\+39, beyond float32's range/ },
];

const layers2 = (l: unknown) => ({ ...BASE('cpu'), layers: l as ModelConfig['layers'] });
const create = (c: HostileContext, patch: Record<string, unknown>) => c.create({ ...BASE(c.backend), ...patch } as ModelConfig);

const config: HostileCase[] = [
  { name: 'layers entry that is null', run: (c) => create(c, { layers: [{ units: 3, activation: 'tanh' }, null] }), error: 'TypeError', message: /layers\[1\] must be \{units, activation[^}]*\}, got null/ },
  { name: 'layers with a hole', run: (c) => create(c, { layers: put(BASE('cpu').layers, 0, undefined, true) }), error: 'TypeError', message: /layers\[0\] must be \{units, activation[^}]*\}, got an empty slot/ },
  { name: 'units as a string', run: (c) => create(c, { layers: [{ units: '3', activation: 'tanh' }, { units: 2, activation: 'softmax' }] }), error: 'TypeError', message: /layers\[0\]\.units must be an integer in \[1, 1048576\], got "3" \(a string\)/ },
  { name: 'units 3.5', run: (c) => create(c, { layers: [{ units: 3.5, activation: 'tanh' }, { units: 2, activation: 'softmax' }] }), error: 'RangeError', message: /layers\[0\]\.units must be an integer in \[1, 1048576\], got 3\.5/ },
  { name: 'units as a BigInt', run: (c) => create(c, { layers: [{ units: BigInt(3), activation: 'tanh' }, { units: 2, activation: 'softmax' }] }), error: 'TypeError', message: /layers\[0\]\.units must be .*got 3n \(a BigInt\)/ },
  { name: 'layer key unit', run: (c) => create(c, { layers: [{ unit: 3, activation: 'tanh' }, { units: 2, activation: 'softmax' }] }), error: 'TypeError', message: /layers\[0\] has no option "unit": did you mean "units"\?/ },
  { name: 'config key inputsize', run: (c) => c.create({ ...layers2(BASE('cpu').layers), inputSize: undefined, inputsize: 2, backend: c.backend } as never), error: 'TypeError', message: /config has no option "inputsize": did you mean "inputSize"\?/ },
  { name: 'config key layer', run: (c) => create(c, { layer: [] }), error: 'TypeError', message: /config has no option "layer": did you mean "layers"\?/ },
  { name: 'config key learningRate', run: (c) => create(c, { learningRate: 0.1 }), error: 'TypeError', message: /config has no option "learningRate"/ },
  { name: 'a 1-unit softmax', run: (c) => create(c, { layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'softmax' }] }), error: 'RangeError', message: /layers\[1\] is a softmax output of 1 unit: a 1-unit softmax always outputs 1/ },
  { name: 'inputSize as a string', run: (c) => create(c, { inputSize: '2' }), error: 'TypeError', message: /inputSize must be an integer in \[1, 1048576\], got "2" \(a string\)/ },
  { name: '1025 layers', run: (c) => create(c, { layers: [...Array.from({ length: 1024 }, () => ({ units: 2, activation: 'tanh' })), { units: 2, activation: 'softmax' }] }), error: 'RangeError', message: /layers must have at most 1024 entries, got 1025/ },
  { name: 'a 2^20 × 512 layer, refused before allocating', run: (c) => create(c, { inputSize: 2 ** 20, layers: [{ units: 512, activation: 'tanh' }, { units: 2, activation: 'softmax' }] }), error: 'RangeError', message: /the network has 536872450 parameters \(layer 0 alone: 1048576 × 512 weights\), more than the 134217728 \(2\^27\)/ },
  { name: 'a 2^20 × 2^20 layer, refused before allocating', run: (c) => create(c, { inputSize: 2 ** 20, layers: [{ units: 2 ** 20, activation: 'tanh' }, { units: 2, activation: 'softmax' }] }), error: 'RangeError', message: /layer 0 alone: 1048576 × 1048576 weights\), more than the 134217728/ },
  { name: 'normal initializer scale that overflows', run: (c) => create(c, { initializer: { type: 'normal', scale: 1e308 } }), error: 'RangeError', message: /initializer\.scale 1e\+308 draws weights beyond the float64 range/ },
  { name: 'uniform initializer epsilon that overflows', run: (c) => create(c, { initializer: { type: 'uniform', epsilon: 1.7e308 } }), error: 'RangeError', message: /initializer\.epsilon 1\.7e\+308 draws weights beyond the float64 range/ },
  { name: 'scale given to a uniform initializer', run: (c) => create(c, { initializer: { type: 'uniform', scale: 1 } }), error: 'TypeError', message: /initializer\.scale does not apply to 'uniform' \(it takes epsilon\)/ },
  { name: 'initializer glorot', run: (c) => create(c, { initializer: 'glorot' }), error: 'RangeError', message: /initializer must be one of 'normal', 'uniform', 'xavier', 'he', got "glorot"/ },
  { name: 'initializer with an unknown key', run: (c) => create(c, { initializer: { type: 'he', seed: 3 } }), error: 'TypeError', message: /initializer has no option "seed"/ },
  { name: 'useBias "yes"', run: (c) => create(c, { useBias: 'yes' }), error: 'TypeError', message: /useBias must be a boolean \(true or false\), got "yes"/ },
  { name: 'l2 Infinity', run: (c) => create(c, { l2: Infinity }), error: 'RangeError', message: /l2 must be a finite number >= 0, got Infinity/ },
  { name: 'l2 as a string', run: (c) => create(c, { l2: '0.1' }), error: 'TypeError', message: /l2 must be a finite number >= 0, got "0\.1" \(a string\)/ },
  { name: 'seed -1', run: (c) => create(c, { seed: -1 }), error: 'RangeError', message: /seed must be an integer in \[0, 4294967295\], got -1/ },
  { name: 'seed 2^33', run: (c) => create(c, { seed: 2 ** 33 }), error: 'RangeError', message: /seed must be an integer in \[0, 4294967295\], got 8589934592/ },
  { name: 'config inputSize behind a getter (not called)', run: (c) => c.create(getter(c, { ...BASE(c.backend), inputSize: undefined }, 'inputSize', 2) as never), error: 'TypeError', message: /config\.inputSize is an accessor \(get\/set\) property/ },
  { name: 'config that is null', run: (c) => c.MLP.create(null as never), error: 'TypeError', message: /config must be an object .*got null/ },
  { name: 'config that is an array', run: (c) => c.MLP.create([] as never), error: 'TypeError', message: /config must be an object .*got an array/ },
  { name: 'config.weights of the wrong shape', run: (c) => create(c, { weights: [[[1, 2, 3]], [[1, 2], [1, 2], [1, 2]]] }), error: 'RangeError', message: /weights\[0\] must have 2 rows \(fan-in\) of 3, got 1 rows/ },
  { name: 'config.biases that is a string', run: (c) => create(c, { biases: '0' }), error: 'TypeError', message: /biases must be an array of 2 vectors, got "0"/ },
  { name: 'create option devices', run: (c) => c.MLP.create(BASE(c.backend), { devices: {} } as never), error: 'TypeError', message: /create options has no option "devices": did you mean "device"\?/ },
  { name: 'device that is a plain object', run: (c) => c.MLP.create(BASE(c.backend), { device: {} as never }), error: 'TypeError', message: /device must be a GPUDevice \(from adapter\.requestDevice\(\)\), got an object/ },
  { name: 'device that is a string', run: (c) => c.MLP.create(BASE(c.backend), { device: 'gpu' as never }), error: 'TypeError', message: /device must be a GPUDevice .*got "gpu"/ },
  { name: 'onDeviceLost retry', run: (c) => c.MLP.create(BASE(c.backend), { onDeviceLost: 'retry' as never }), error: 'RangeError', message: /onDeviceLost must be one of 'cpu', 'error', got "retry"/ },
  { name: 'maxBindingBytes 8', run: (c) => c.MLP.create(BASE(c.backend), { maxBindingBytes: 8 }), error: 'RangeError', message: /maxBindingBytes must be an integer in \[16, 9007199254740991\], got 8/ },
  { name: 'backend gpu', run: (c) => create(c, { backend: 'gpu' }), error: 'RangeError', message: /backend must be one of 'cpu', 'webgpu', 'wasm', 'auto', got "gpu"/ },
  { name: 'l2 beyond float32 in float32', only: 'float32', run: (c) => create(c, { l2: 1e39 }), error: 'RangeError', message: /l2 1e\+39 is beyond float32's range/ },
  { name: 'weights beyond float32 in float32', only: 'float32', run: (c) => { const w = weights(); w.weights[0][0][0] = 1e39; return create(c, w); }, error: 'RangeError', message: /weights\[0\]\[0\]\[0\] is 1e\+39, beyond float32's range/ },
];

const fitOptions: HostileCase[] = [
  { name: 'fit option epoch', run: (c) => c.model.fit(X(), Y(), { ...FIT, epoch: 3 } as never), error: 'TypeError', message: /fit options has no option "epoch": did you mean "epochs"\?/ },
  { name: 'fit option learningrate', run: (c) => c.model.fit(X(), Y(), { learningrate: 0.1 } as never), error: 'TypeError', message: /did you mean "learningRate"\?/ },
  { name: 'fit option batch_size', run: (c) => c.model.fit(X(), Y(), { batch_size: 2 } as never), error: 'TypeError', message: /fit options has no option "batch_size": did you mean "batchSize"\?/ },
  { name: 'fit option validation_split', run: (c) => c.model.fit(X(), Y(), { validation_split: 0.5 } as never), error: 'TypeError', message: /did you mean "validationSplit"\?/ },
  { name: 'fit option onEpochEnds', run: (c) => c.model.fit(X(), Y(), { onEpochEnds: () => {} } as never), error: 'TypeError', message: /did you mean "onEpochEnd"\?/ },
  { name: 'fit option lr', run: (c) => c.model.fit(X(), Y(), { lr: 0.1 } as never), error: 'TypeError', message: /fit options has no option "lr" \(valid: epochs, batchSize/ },
  { name: 'fit option momentum at the top level', run: (c) => c.model.fit(X(), Y(), { momentum: 0.9 } as never), error: 'TypeError', message: /fit options has no option "momentum"/ },
  { name: 'signal that is a plain object', run: (c) => c.model.fit(X(), Y(), { ...FIT, signal: {} as never }), error: 'TypeError', message: /signal must be an AbortSignal \(new AbortController\(\)\.signal\), got an object/ },
  { name: 'signal that is a string', run: (c) => c.model.fit(X(), Y(), { ...FIT, signal: 'abort' as never }), error: 'TypeError', message: /signal must be an AbortSignal .*got "abort"/ },
  { name: 'fake signal with aborted: true', run: (c) => c.model.fit(X(), Y(), { ...FIT, signal: { aborted: true, addEventListener() {} } as never }), error: 'TypeError', message: /signal must be an AbortSignal .*got an object/ },
  { name: 'signal made from AbortSignal.prototype', run: (c) => c.model.fit(X(), Y(), { ...FIT, signal: Object.create(AbortSignal.prototype) }), error: 'TypeError', message: /signal must be an AbortSignal .*got an object/ },
  { name: 'signal null', run: (c) => c.model.fit(X(), Y(), { ...FIT, signal: null as never }), error: 'TypeError', message: /signal must be an AbortSignal .*got null/ },
  { name: 'epochs "3"', run: (c) => c.model.fit(X(), Y(), { ...FIT, epochs: '3' as never }), error: 'TypeError', message: /epochs must be a positive integer, got "3" \(a string\)/ },
  { name: 'epochs Infinity', run: (c) => c.model.fit(X(), Y(), { ...FIT, epochs: Infinity }), error: 'RangeError', message: /epochs must be a positive integer, got Infinity/ },
  { name: 'epochs null', run: (c) => c.model.fit(X(), Y(), { ...FIT, epochs: null as never }), error: 'TypeError', message: /epochs must be a positive integer, got null/ },
  { name: 'batchSize Infinity', run: (c) => c.model.fit(X(), Y(), { ...FIT, batchSize: Infinity }), error: 'RangeError', message: /batchSize must be a positive integer, got Infinity/ },
  { name: 'batchSize true', run: (c) => c.model.fit(X(), Y(), { ...FIT, batchSize: true as never }), error: 'TypeError', message: /batchSize must be a positive integer, got true \(a boolean\)/ },
  { name: 'learningRate "0.1"', run: (c) => c.model.fit(X(), Y(), { ...FIT, learningRate: '0.1' as never }), error: 'TypeError', message: /learningRate must be .*got "0\.1"/ },
  { name: 'learningRate Infinity', run: (c) => c.model.fit(X(), Y(), { ...FIT, learningRate: Infinity }), error: 'RangeError', message: /learningRate must be a finite number > 0, got Infinity/ },
  { name: 'Adam beta2 of 1', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: { type: 'adam', beta2: 1 } }), error: 'RangeError', message: /optimizer\.beta2 must be in \[0, 1\), got 1/ },
  { name: 'momentum given to Adam', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: { type: 'adam', momentum: 0.9 } as never }), error: 'TypeError', message: /optimizer\.momentum does not apply to 'adam' \(it takes beta1, beta2, epsilon\)/ },
  { name: 'optimizer type adma', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: { type: 'adma' } as never }), error: 'RangeError', message: /optimizer\.type must be one of 'sgd', 'momentum', 'adam'.*got "adma"/ },
  { name: 'optimizer with a key name', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: { name: 'adam' } as never }), error: 'TypeError', message: /optimizer has no option "name"/ },
  { name: 'optimizer 5', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: 5 as never }), error: 'TypeError', message: /optimizer must be a name .*got 5/ },
  { name: 'momentum -0.1', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: { type: 'momentum', momentum: -0.1 } }), error: 'RangeError', message: /optimizer\.momentum must be in \[0, 1\), got -0\.1/ },
  { name: 'Adam epsilon 0', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: { type: 'adam', epsilon: 0 } }), error: 'RangeError', message: /optimizer\.epsilon must be a finite number > 0, got 0/ },
  { name: 'shuffle "false"', run: (c) => c.model.fit(X(), Y(), { ...FIT, shuffle: 'false' as never }), error: 'TypeError', message: /shuffle must be a boolean \(true or false\), got "false"/ },
  { name: 'shuffle 0', run: (c) => c.model.fit(X(), Y(), { ...FIT, shuffle: 0 as never }), error: 'TypeError', message: /shuffle must be a boolean .*got 0/ },
  { name: 'validationSplit -0.1', run: (c) => c.model.fit(X(), Y(), { ...FIT, validationSplit: -0.1 }), error: 'RangeError', message: /validationSplit must be a finite number >= 0, got -0\.1/ },
  { name: 'validationSplit "0.2"', run: (c) => c.model.fit(X(), Y(), { ...FIT, validationSplit: '0.2' as never }), error: 'TypeError', message: /validationSplit must be a finite number >= 0, got "0\.2" \(a string\)/ },
  { name: 'onBatchEnd "log"', run: (c) => c.model.fit(X(), Y(), { ...FIT, onBatchEnd: 'log' as never }), error: 'TypeError', message: /onBatchEnd must be a function, got "log"/ },
  { name: 'onEpochEnd that is an object', run: (c) => c.model.fit(X(), Y(), { ...FIT, onEpochEnd: {} as never }), error: 'TypeError', message: /onEpochEnd must be a function, got an object/ },
  { name: 'fit options null', run: (c) => c.model.fit(X(), Y(), null as never), error: 'TypeError', message: /fit options must be an object, got null/ },
  { name: 'fit options that are an array', run: (c) => c.model.fit(X(), Y(), [] as never), error: 'TypeError', message: /fit options must be an object, got an array/ },
  { name: 'fit options epochs behind a getter (not called)', run: (c) => c.model.fit(X(), Y(), getter(c, { ...FIT }, 'epochs', 1)), error: 'TypeError', message: /fit options\.epochs is an accessor \(get\/set\) property/ },
  { name: 'fit options Proxy whose ownKeys trap throws', run: (c) => c.model.fit(X(), Y(), new Proxy({}, { ownKeys: () => { throw new Error('trap'); } })), error: 'TypeError', message: /fit options could not be read/ },
  { name: 'learningRate beyond float32 in float32', only: 'float32', run: (c) => c.model.fit(X(), Y(), { ...FIT, learningRate: 1e39 }), error: 'RangeError', message: /learningRate 1e\+39 is beyond float32's range/ },
  { name: 'learningRate below float32 normals in float32', only: 'float32', run: (c) => c.model.fit(X(), Y(), { ...FIT, learningRate: 1e-39 }), error: 'RangeError', message: /learningRate 1e-39 is below float32's smallest normal number/ },
  { name: 'Adam epsilon below float32 subnormals in float32', only: 'float32', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: { type: 'adam', epsilon: 1e-46 } }), error: 'RangeError', message: /optimizer\.epsilon 1e-46 is below float32's smallest normal number/ },
  { name: 'Adam beta2 that rounds to 1 in float32', only: 'float32', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: { type: 'adam', beta2: 0.99999999 } }), error: 'RangeError', message: /optimizer\.beta2 0\.99999999 rounds to 1 in float32/ },
  { name: 'Adam beta1 that rounds to 1 in float32', only: 'float32', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: { type: 'adam', beta1: 0.999999999 } }), error: 'RangeError', message: /optimizer\.beta1 0\.999999999 rounds to 1 in float32/ },
  { name: 'momentum that rounds to 1 in float32', only: 'float32', run: (c) => c.model.fit(X(), Y(), { ...FIT, optimizer: { type: 'momentum', momentum: 0.99999999 } }), error: 'RangeError', message: /optimizer\.momentum 0\.99999999 rounds to 1 in float32/ },
  { name: 'x beyond float32 in float32 (Float64Array)', only: 'float32', run: (c) => c.model.fit({ data: Float64Array.of(0, 1, 1e39, 0, 1, 1), shape: [3, 2] }, Y(), FIT), error: 'RangeError', message: /x holds 1e\+39 at row 1, column 0, beyond float32's range/ },
  { name: 'x beyond float32 in float32 (rows)', only: 'float32', run: (c) => c.model.fit([[0, 1], [-4e38, 0], [1, 1]], Y(), FIT), error: 'RangeError', message: /x holds -4e\+38 at row 1, column 0, beyond float32's range/ },
  { name: 'predict beyond float32 in float32', only: 'float32', run: (c) => c.model.predict([[0, -1e39]]), error: 'RangeError', message: /x holds -1e\+39 at row 0, column 1/ },
  { name: 'validationData beyond float32 in float32', only: 'float32', run: (c) => c.model.fit(X(), Y(), { ...FIT, validationData: [[[1e39, 0]], [0]] }), error: 'RangeError', message: /validationData inputs holds 1e\+39 at row 0, column 0/ },
];

const json = async (c: HostileContext) => JSON.parse(JSON.stringify(await c.model.toJSON()));
const calls: HostileCase[] = [
  { name: 'predict of null', run: (c) => c.model.predict(null as never), error: 'TypeError', message: /x must be an array of rows .*got null/ },
  { name: 'evaluate with a label out of range', run: (c) => c.model.evaluate(X(), [0, 1, 7]), error: 'RangeError', message: /y\[2\] is a class label and must be an integer in \[0, 1\], got 7/ },
  { name: 'profile on the CPU backend', only: 'cpu', run: (c) => c.model.profile(X(), Y()), error: 'Error', message: /profile\(\) times the kernels of the webgpu and wasm backends, but this model trains on the cpu backend/ },
  { name: 'profile option step', only: 'float32', run: (c) => c.model.profile(X(), Y(), { step: 3 } as never), error: 'TypeError', message: /profile options has no option "step": did you mean "steps"\?/ },
  { name: 'fromJSON with backend gpu', run: async (c) => c.MLP.fromJSON(await json(c), { backend: 'gpu' as never }), error: 'RangeError', message: /backend must be one of 'cpu', 'webgpu', 'wasm', 'auto', got "gpu"/ },
  { name: 'fromJSON option backnd', run: async (c) => c.MLP.fromJSON(await json(c), { backnd: 'cpu' } as never), error: 'TypeError', message: /fromJSON config has no option "backnd": did you mean "backend"\?/ },
  { name: 'fromJSON of null', run: (c) => c.MLP.fromJSON(null), error: 'TypeError', message: /model file must be a JSON object, got null/ },
  { name: 'fromJSON of a megabyte of garbage', run: (c) => c.MLP.fromJSON('{' + 'x'.repeat(1 << 20)), error: 'SyntaxError', message: /model file is not valid JSON/ },
  { name: 'fromJSON of a file whose config has an unknown key', run: async (c) => { const j = await json(c); j.config.units = 3; return c.MLP.fromJSON(j); }, error: 'TypeError', message: /model file config has no option "units"/ },
  { name: 'fromJSON of a file with a string weight', run: async (c) => { const j = await json(c); j.weights[1][2][0] = '0.5'; return c.MLP.fromJSON(j); }, error: 'TypeError', message: /model file weights\[1\]\[2\]\[0\] must be a finite number, got "0\.5" \(a string\)/ },
  { name: 'gradientCheck option eps', run: async (c) => c.gradientCheck({ config: BASE('cpu'), weights: weights() }, X(), Y(), { eps: 1e-4 } as never), error: 'TypeError', message: /gradientCheck options has no option "eps": did you mean "epsilon"\?/ },
  { name: 'gradientCheck without biases', run: async (c) => c.gradientCheck({ config: BASE('cpu'), weights: { weights: weights().weights } as never }, X(), Y()), error: 'TypeError', message: /biases are missing/ },
  { name: 'gradientCheck of a 1-unit softmax', run: async (c) => c.gradientCheck({ config: { ...BASE('cpu'), layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'softmax' }] }, weights: weights() }, X(), Y()), error: 'RangeError', message: /layers\[1\] is a softmax output of 1 unit/ },
  { name: 'gradientCheck of null', run: async (c) => c.gradientCheck(null as never, X(), Y()), error: 'TypeError', message: /gradientCheck model must be \{config, weights\}, got null/ },
  { name: 'gradientCheck epsilon -1', run: async (c) => c.gradientCheck({ config: BASE('cpu'), weights: weights() }, X(), Y(), { epsilon: -1 }), error: 'RangeError', message: /epsilon must be a finite number > 0, got -1/ },
  { name: 'gradientCheck of a network too big to check', run: async (c) => c.gradientCheck({ config: { ...BASE('cpu'), inputSize: 4096, layers: [{ units: 64, activation: 'tanh' }, { units: 2, activation: 'softmax' }] }, weights: { weights: [Array.from({ length: 4096 }, () => new Array(64).fill(0)), Array.from({ length: 64 }, () => [0, 0])], biases: [new Array(64).fill(0), [0, 0]] } }, [new Array(4096).fill(0)], [0]), error: 'RangeError', message: /gradientCheck of 262338 parameters on 1 rows would take about 1\.4e\+11 multiply-adds/ },
  { name: 'gradientCheck inputs of the wrong width', run: async (c) => c.gradientCheck({ config: BASE('cpu'), weights: weights() }, [[1, 2, 3]], [0]), error: 'RangeError', message: /x must have 2 columns \(the model's inputSize\), got 3/ },
  { name: 'a million-character string as an input', run: (c) => c.model.fit(put(X(), 1, ['a'.repeat(1e6), 0]), Y(), FIT), error: 'TypeError', message: /x must hold finite numbers, got "a{40}"… \(1000000 characters\) \(a string\) at row 1, column 0/ },
  { name: 'a 100 000-character option name', run: (c) => c.model.fit(X(), Y(), { ['k'.repeat(1e5)]: 1 } as never), error: 'TypeError', message: /fit options has no option "k{40}"… \(100000 characters\)/ },
  { name: 'a 100 000-character activation name', run: (c) => create(c, { layers: [{ units: 3, activation: 's'.repeat(1e5) }, { units: 2, activation: 'softmax' }] }), error: 'RangeError', message: /layers\[0\]\.activation must be one of .*got "s{40}"… \(100000 characters\)/ },
  { name: 'predict racing dispose', altersModel: true, run: (c) => { const p = c.model.predict(X()); c.model.dispose(); return p; }, error: 'Error', message: /predict\(\) did not finish: dispose\(\) was called while it ran/ },
  { name: 'evaluate racing dispose', altersModel: true, run: (c) => { const p = c.model.evaluate(X(), Y()); c.model.dispose(); return p; }, error: 'Error', message: /evaluate\(\) did not finish: dispose\(\) was called while it ran/ },
  { name: 'fit racing dispose', altersModel: true, run: (c) => { const p = c.model.fit(X(), Y(), { ...FIT, epochs: 50 }); c.model.dispose(); return p; }, error: 'Error', message: /fit\(\) did not finish: dispose\(\) was called while it ran/ },
  { name: 'dispose inside onBatchEnd', altersModel: true, run: (c) => c.model.fit(X(), Y(), { ...FIT, epochs: 5, onBatchEnd: () => c.model.dispose() }), error: 'Error', message: /fit\(\) did not finish: dispose\(\) was called while it ran/ },
];

export const hostileCases: HostileCase[] = [...generated, ...data, ...params, ...config, ...fitOptions, ...calls];

/** Most characters an error message may have (the cases echo huge strings and names). */
export const MAX_MESSAGE = 400;

/**
 * Runs one case on `backend`: trains the base model, snapshots its state, makes the hostile call,
 * and returns what went wrong (an empty list when the case passes).
 */
export async function runHostileCase(
  c: HostileCase, MLP: MLPStatic, gradientCheck: typeof GradientCheck, backend: Backend, device?: GPUDevice,
): Promise<{ failures: string[]; outcome: string }> {
  const opts = device ? { device } : {};
  const model = await MLP.create(BASE(backend), opts);
  await model.fit(X(), Y(), TRAIN);
  const before = await stateBytes(model);
  const counter = { calls: 0 };
  const ctx: HostileContext = { model, MLP, backend, gradientCheck, counter, create: (config) => MLP.create(config, opts) };
  let error: unknown = null;
  let made: unknown = null;
  try {
    made = await c.run(ctx);
  } catch (e) {
    error = e;
  }
  if (made && typeof (made as MLPClass).dispose === 'function') (made as MLPClass).dispose();
  const failures: string[] = [];
  const e = error as Error | null;
  const outcome = e ? `${e.name}: ${String(e.message).slice(0, 600)}` : 'no error';
  if (!e) failures.push('no error was thrown');
  else {
    if (e.name !== c.error) failures.push(`threw ${e.name}, expected ${c.error}`);
    if (!c.message.test(e.message)) failures.push(`message does not match ${c.message}`);
    if (e.message.length > MAX_MESSAGE) failures.push(`message is ${e.message.length} characters (more than ${MAX_MESSAGE})`);
  }
  if (counter.calls > 0) failures.push(`the caller's code ran ${counter.calls} time(s) during validation`);
  if (!c.altersModel) {
    const after = await stateBytes(model);
    if (after !== before) failures.push('the model state changed');
  }
  model.dispose();
  return { failures, outcome };
}
