// ONNX export (opset 13; 17 where a layer has norm): per layer Gemm (or MatMul + Add), a LayerNormalization or
// BatchNormalization (inference form), the
// activation (onnx-nodes.ts) and a residual Add, float32 initializers, a dynamic batch dimension, and the config in
// metadata_props['webgpu-mlp'].
import type { MLP } from '../index';
import { modelFile, show } from './common';
import { activationNodes, batchNormNodes, layerNormNodes, node, tensor } from './onnx-nodes';
import { ProtoWriter } from './protobuf';

/**
 * The ONNX operator set the export targets (written with IR version 7); a graph with a normalized
 * layer targets {@link ONNX_NORM_OPSET} instead.
 *
 * @example
 * import { ONNX_OPSET } from 'webgpu-mlp/interop';
 * console.log(ONNX_OPSET); // 13
 */
export const ONNX_OPSET = 13;
/**
 * The operator set of a graph with a normalized layer, `norm: 'layer'` or `'batch'` (written with
 * IR version 8): the first with `LayerNormalization`.
 *
 * @example
 * import { ONNX_NORM_OPSET } from 'webgpu-mlp/interop';
 * console.log(ONNX_NORM_OPSET); // 17
 */
export const ONNX_NORM_OPSET = 17;
const FLOAT = 1; // TensorProto.DataType.FLOAT

/**
 * Options of {@link toOnnx}.
 *
 * @example
 * const bytes = await toOnnx(model, { linear: 'matmul-add', inputName: 'features', outputName: 'scores' });
 */
export interface OnnxOptions {
  /** `'gemm'` (default): one Gemm per layer; `'matmul-add'`: MatMul then Add. */
  linear?: 'gemm' | 'matmul-add';
  /** Name of the graph input (default `'input'`, shape `[batch, inputSize]`). */
  inputName?: string;
  /** Name of the graph output (default `'output'`, shape `[batch, outputs]`). */
  outputName?: string;
}

function valueInfo(name: string, width: number): ProtoWriter {
  const shape = new ProtoWriter()
    .message(1, new ProtoWriter().string(2, 'batch'))
    .message(1, new ProtoWriter().int(1, width));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/** A batch-normalized layer's γ, β and running statistics, which the model file always carries for it. */
function batchState(l: number, norm: { scale: number[]; shift: number[]; runningMean?: number[]; runningVar?: number[] }) {
  const { runningMean, runningVar } = norm;
  if (!runningMean || !runningVar) throw new RangeError(`layer ${l} has norm 'batch' but the model file holds no running mean and variance for it`);
  return { ...norm, runningMean, runningVar };
}

function checkName(what: string, v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.:/-]*$/.test(v)) throw new TypeError(`${what} must be a name of letters, digits, '_', '.', ':', '/', '-', got ${show(v)}`);
  return v;
}

/**
 * The model as an ONNX file (opset 13, IR 7; opset 17, IR 8 with a normalized layer) that
 * onnxruntime and other ONNX runtimes run: input `[batch, inputSize]` float32, a `Gemm` (or `MatMul`
 * + `Add`), a `LayerNormalization` or `BatchNormalization` (running statistics; with `norm`) and the activation per layer (then an `Add` of its
 * input for a residual layer), the config as JSON in `metadata_props['webgpu-mlp']`.
 *
 * @example
 * import { toOnnx } from 'webgpu-mlp/interop';
 * import * as ort from 'onnxruntime-web';
 * const session = await ort.InferenceSession.create(await toOnnx(model));
 * const { output } = await session.run({ input: new ort.Tensor('float32', Float32Array.from([0, 1]), [1, 2]) });
 */
export async function toOnnx(model: MLP, options: OnnxOptions = {}): Promise<Uint8Array> {
  if (options === null || typeof options !== 'object') throw new TypeError(`options must be an object, got ${show(options)}`);
  const linear = options.linear ?? 'gemm';
  if (linear !== 'gemm' && linear !== 'matmul-add') throw new RangeError(`options.linear must be 'gemm' or 'matmul-add', got ${show(linear)}`);
  const inputName = checkName('options.inputName', options.inputName, 'input');
  const outputName = checkName('options.outputName', options.outputName, 'output');
  for (const [what, name] of [['options.inputName', inputName], ['options.outputName', outputName]]) {
    if (/^layer\d+[./]/.test(name)) throw new RangeError(`${what} ${show(name)} clashes with the graph's own 'layer<N>.*' names`);
  }
  if (inputName === outputName) throw new RangeError(`options.inputName and options.outputName must differ, both are ${show(inputName)}`);
  const file = await modelFile(model);
  const useBias = file.config.useBias !== false;
  const graph = new ProtoWriter();
  const initializers: ProtoWriter[] = [];
  let current = inputName;
  file.config.layers.forEach((layer, l) => {
    const input = current;
    const last = l === file.config.layers.length - 1;
    const w = `layer${l}.weight`;
    const b = `layer${l}.bias`;
    initializers.push(tensor(w, [file.weights[l].length, layer.units], file.weights[l].flat()));
    if (useBias) initializers.push(tensor(b, [layer.units], file.biases[l]));
    const linearOut = last && layer.activation === 'linear' ? outputName : `layer${l}.linear`;
    if (linear === 'gemm') {
      graph.message(1, node('Gemm', useBias ? [current, w, b] : [current, w], linearOut, `layer${l}/Gemm`));
    } else if (useBias) {
      graph.message(1, node('MatMul', [current, w], `layer${l}.matmul`, `layer${l}/MatMul`));
      graph.message(1, node('Add', [`layer${l}.matmul`, b], linearOut, `layer${l}/Add`));
    } else {
      graph.message(1, node('MatMul', [current, w], linearOut, `layer${l}/MatMul`));
    }
    current = linearOut;
    const norm = file.norms?.[l];
    if (norm) {
      // a hidden layer only (the output layer never has norm), so its output is never the graph's
      const ln = layer.norm === 'batch' ? batchNormNodes(l, current, `layer${l}.norm`, batchState(l, norm), layer.normEpsilon ?? 1e-5, layer.normMomentum ?? 0.1) : layerNormNodes(l, current, `layer${l}.norm`, norm, layer.normEpsilon ?? 1e-5);
      for (const n of ln.nodes) graph.message(1, n);
      initializers.push(...ln.initializers);
      current = `layer${l}.norm`;
    }
    if (layer.activation !== 'linear') {
      const out = last ? outputName : `layer${l}.output`;
      const act = activationNodes(layer, l, current, out);
      for (const n of act.nodes) graph.message(1, n);
      initializers.push(...act.initializers);
      current = out;
    }
    // a residual layer adds its input (hidden layers only: the output layer never is one)
    if (layer.residual) {
      graph.message(1, node('Add', [current, input], `layer${l}.residual`, `layer${l}/Residual`));
      current = `layer${l}.residual`;
    }
  });
  graph.string(2, 'webgpu-mlp');
  for (const t of initializers) graph.message(5, t);
  graph.message(11, valueInfo(inputName, file.config.inputSize));
  graph.message(12, valueInfo(outputName, file.config.layers[file.config.layers.length - 1].units));
  const opset = file.norms ? ONNX_NORM_OPSET : ONNX_OPSET;
  return new ProtoWriter()
    .int(1, opset === ONNX_OPSET ? 7 : 8)
    .string(2, 'webgpu-mlp')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, opset))
    .message(14, new ProtoWriter().string(1, 'webgpu-mlp').string(2, JSON.stringify(file.config)))
    .finish();
}
