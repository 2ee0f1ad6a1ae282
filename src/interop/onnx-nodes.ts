// The ONNX graph pieces the export writes: float32 tensors, nodes with attributes, and each
// activation as opset-13 operators (GELU and Mish have operators only from opsets 20 and 18: they
// are written as their decompositions, GELU exact with Erf).
import type { Activation } from '../index';
import { ProtoWriter } from './protobuf';

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTRIBUTE_FLOAT = 1; // AttributeProto.AttributeType.FLOAT
const ATTRIBUTE_INT = 2; // AttributeProto.AttributeType.INT

/**
 * A float32 tensor (an initializer).
 *
 * @example
 * tensor('layer0.weight', [2, 3], weights);
 */
export function tensor(name: string, dims: number[], values: ArrayLike<number>): ProtoWriter {
  const raw = new Uint8Array(4 * values.length);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  const t = new ProtoWriter();
  for (const d of dims) t.int(1, d);
  return t.int(2, FLOAT).string(8, name).bytes(9, raw);
}

/**
 * One node: operator `op` from `inputs` to `output`.
 *
 * @example
 * node('Relu', ['layer0.linear'], 'layer0.output', 'layer0/Relu');
 */
export function node(op: string, inputs: string[], output: string, name: string, attributes: ProtoWriter[] = []): ProtoWriter {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(1, i);
  n.string(2, output).string(3, name).string(4, op);
  for (const a of attributes) n.message(5, a);
  return n;
}

const intAttribute = (name: string, v: number) => new ProtoWriter().string(1, name).int(3, v).int(20, ATTRIBUTE_INT);
const floatAttribute = (name: string, v: number) => new ProtoWriter().string(1, name).float(2, v).int(20, ATTRIBUTE_FLOAT);

/** What a layer's activation adds to the graph: its nodes and the scalar constants they read. */
export interface ActivationGraph {
  nodes: ProtoWriter[];
  initializers: ProtoWriter[];
}

/**
 * Layer `l`'s activation from `input` to `output` (nothing for linear), as opset-13 nodes.
 *
 * @example
 * activationNodes({ activation: 'silu' }, 0, 'layer0.linear', 'layer0.output').nodes.length; // 2 (Sigmoid, Mul)
 */
export function activationNodes(layer: { activation: Activation; alpha?: number }, l: number, input: string, output: string): ActivationGraph {
  const p = `layer${l}`;
  const nodes: ProtoWriter[] = [];
  const initializers: ProtoWriter[] = [];
  const one = (op: string, attrs: ProtoWriter[] = []) => nodes.push(node(op, [input], output, `${p}/${op}`, attrs));
  const constant = (name: string, v: number) => {
    initializers.push(tensor(`${p}.${name}`, [], [v]));
    return `${p}.${name}`;
  };
  // a chain of binary nodes: each [op, a, b, out] with out = output for the last
  const chain = (steps: [string, string, string, string][]) => steps.forEach(([op, a, b, out], i) => nodes.push(node(op, op === 'Erf' || op === 'Tanh' || op === 'Sigmoid' || op === 'Softplus' ? [a] : [a, b], out, `${p}/${op}_${i}`)));
  switch (layer.activation) {
    case 'linear': break;
    case 'sigmoid': one('Sigmoid'); break;
    case 'tanh': one('Tanh'); break;
    case 'relu': one('Relu'); break;
    case 'softmax': one('Softmax', [intAttribute('axis', -1)]); break;
    case 'softplus': one('Softplus'); break;
    case 'selu': one('Selu'); break;
    case 'leakyRelu': one('LeakyRelu', [floatAttribute('alpha', layer.alpha ?? 0.01)]); break;
    case 'elu': one('Elu', [floatAttribute('alpha', layer.alpha ?? 1)]); break;
    // x·σ(x)
    case 'silu': chain([['Sigmoid', input, '', `${p}.sigmoid`], ['Mul', input, `${p}.sigmoid`, output]]); break;
    // x·tanh(softplus(x))
    case 'mish': chain([['Softplus', input, '', `${p}.softplus`], ['Tanh', `${p}.softplus`, '', `${p}.tanh`], ['Mul', input, `${p}.tanh`, output]]); break;
    // x·½(1 + erf(x/√2))
    case 'gelu': {
      const [rs2, half, c1] = [constant('inv_sqrt2', Math.SQRT1_2), constant('half', 0.5), constant('one', 1)];
      chain([
        ['Mul', input, rs2, `${p}.scaled`], ['Erf', `${p}.scaled`, '', `${p}.erf`], ['Add', `${p}.erf`, c1, `${p}.erf1`],
        ['Mul', `${p}.erf1`, half, `${p}.cdf`], ['Mul', input, `${p}.cdf`, output],
      ]);
      break;
    }
    // ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
    case 'geluTanh': {
      const [k, c, half, c1] = [constant('k', Math.sqrt(2 / Math.PI)), constant('c', 0.044715), constant('half', 0.5), constant('one', 1)];
      chain([
        ['Mul', input, input, `${p}.x2`], ['Mul', `${p}.x2`, input, `${p}.x3`], ['Mul', `${p}.x3`, c, `${p}.cx3`], ['Add', input, `${p}.cx3`, `${p}.inner`],
        ['Mul', `${p}.inner`, k, `${p}.arg`], ['Tanh', `${p}.arg`, '', `${p}.tanh`], ['Add', `${p}.tanh`, c1, `${p}.tanh1`],
        ['Mul', `${p}.tanh1`, half, `${p}.gate`], ['Mul', input, `${p}.gate`, output],
      ]);
      break;
    }
  }
  return { nodes, initializers };
}

/**
 * Layer `l`'s normalization as one opset-17 `LayerNormalization` node over the last axis, with γ
 * and β as initializers `layer<l>.norm.scale` and `layer<l>.norm.shift`.
 *
 * @example
 * const { nodes, initializers } = layerNormNodes(0, 'layer0.linear', 'layer0.norm', { scale, shift }, 1e-5);
 */
export function layerNormNodes(l: number, input: string, output: string, norm: { scale: number[]; shift: number[] }, epsilon: number): ActivationGraph {
  const [scale, shift] = [`layer${l}.norm.scale`, `layer${l}.norm.shift`];
  return {
    nodes: [node('LayerNormalization', [input, scale, shift], output, `layer${l}/LayerNormalization`, [intAttribute('axis', -1), floatAttribute('epsilon', epsilon)])],
    initializers: [tensor(scale, [norm.scale.length], norm.scale), tensor(shift, [norm.shift.length], norm.shift)],
  };
}

/**
 * Layer `l`'s batch normalization in its inference form: one `BatchNormalization` node over the
 * units (axis 1 of `[batch, units]`) with γ, β and the running mean and variance as initializers
 * `layer<l>.norm.scale`, `.shift`, `.mean`, `.var`; `momentum` is written as ONNX counts it (1 − ours).
 *
 * @example
 * const { nodes, initializers } = batchNormNodes(0, 'layer0.linear', 'layer0.norm', norm, 1e-5, 0.1);
 */
export function batchNormNodes(l: number, input: string, output: string, norm: { scale: number[]; shift: number[]; runningMean: number[]; runningVar: number[] }, epsilon: number, momentum: number): ActivationGraph {
  const names = ['scale', 'shift', 'mean', 'var'].map((n) => `layer${l}.norm.${n}`);
  const values = [norm.scale, norm.shift, norm.runningMean, norm.runningVar];
  return {
    nodes: [node('BatchNormalization', [input, ...names], output, `layer${l}/BatchNormalization`, [floatAttribute('epsilon', epsilon), floatAttribute('momentum', 1 - momentum)])],
    initializers: names.map((n, i) => tensor(n, [values[i].length], values[i])),
  };
}
