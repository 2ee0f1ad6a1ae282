// ONNX export run by ONNX Runtime in Node (onnxruntime-web's wasm runtime) with the same
// predictions, for every activation, Gemm and MatMul + Add, with and without biases; the file's
// structure read back with protobufjs and a subset of the ONNX schema (field numbers as in
// onnx/onnx.proto).
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { type Activation, MLP } from '../src';
import { toOnnx } from '../src/interop';
import { architectures, maxDiff, seededRows, toRows, trainedModel } from './interop/helpers';
import { ort } from './interop/ort-node';

const TOL = 1e-5;

const ONNX_SUBSET = `
syntax = "proto2";
package onnx;
message AttributeProto { optional string name = 1; optional float f = 2; optional int64 i = 3; optional int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; repeated AttributeProto attribute = 5; }
message TensorProto { repeated int64 dims = 1; optional int32 data_type = 2; optional string name = 8; optional bytes raw_data = 9; }
message GraphProto { repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message ValueInfoProto { optional string name = 1; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message ModelProto { optional int64 ir_version = 1; optional string producer_name = 2; optional GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; repeated StringStringEntryProto metadata_props = 14; }
`;
const ModelProto = protobuf.parse(ONNX_SUBSET, { keepCase: true }).root.lookupType('onnx.ModelProto');

/** The fields of a decoded ModelProto these tests read (protobufjs's toObject, longs as numbers). */
interface DecodedModel {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  graph: { node: { op_type: string; attribute?: unknown[] }[]; initializer: { name: string; dims: number[] }[] };
  metadata_props: { key: string; value: string }[];
}

async function runOnnx(bytes: Uint8Array, x: number[][], inputName = 'input', outputName = 'output'): Promise<number[][]> {
  const session = await ort.InferenceSession.create(bytes);
  expect(session.inputNames).toEqual([inputName]);
  expect(session.outputNames).toEqual([outputName]);
  const input = new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, x[0].length]);
  const out = (await session.run({ [inputName]: input }))[outputName];
  await session.release();
  return toRows(out.data as Float32Array, out.dims[1]);
}

describe('ONNX export with ONNX Runtime (wasm) in Node', () => {
  for (const { name, config } of architectures) {
    for (const linear of ['gemm', 'matmul-add'] as const) {
      it(`onnxruntime runs our ${linear} export with the same predictions: ${name}`, async () => {
        const model = await trainedModel(config);
        const bytes = await toOnnx(model, { linear });
        const x = seededRows(17, 25, config.inputSize);
        const diff = maxDiff(await model.predict(x), await runOnnx(bytes, x));
        console.log(`ONNX (${linear}) -> onnxruntime-web in Node (${name}): max |prediction difference| = ${diff.toExponential(2)}`);
        expect(diff).toBeLessThanOrEqual(TOL);

        const decoded = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as DecodedModel;
        expect(decoded.opset_import).toEqual([{ domain: '', version: 13 }]);
        expect(decoded.ir_version).toBe(7);
        const ops = decoded.graph.node.map((n) => n.op_type);
        const useBias = config.useBias !== false;
        const act: Record<Activation, string[]> = {
          sigmoid: ['Sigmoid'], tanh: ['Tanh'], relu: ['Relu'], linear: [], softmax: ['Softmax'], leakyRelu: ['LeakyRelu'], elu: ['Elu'], selu: ['Selu'], softplus: ['Softplus'],
          silu: ['Sigmoid', 'Mul'], mish: ['Softplus', 'Tanh', 'Mul'], gelu: ['Mul', 'Erf', 'Add', 'Mul', 'Mul'],
          geluTanh: ['Mul', 'Mul', 'Mul', 'Add', 'Mul', 'Tanh', 'Add', 'Mul', 'Mul'],
        };
        const lin = linear === 'gemm' ? ['Gemm'] : useBias ? ['MatMul', 'Add'] : ['MatMul'];
        expect(ops).toEqual(config.layers.flatMap((l) => [...lin, ...act[l.activation]]));
        const softmax = decoded.graph.node.find((n) => n.op_type === 'Softmax');
        if (softmax) expect(softmax.attribute).toEqual([{ name: 'axis', i: -1, type: 2 }]);
        // alpha as a float attribute: leakyRelu's, and elu's (1 when not given)
        const alphas = decoded.graph.node.filter((n) => n.op_type === 'LeakyRelu' || n.op_type === 'Elu').map((n) => n.attribute);
        const expectedAlphas = config.layers.filter((l) => l.activation === 'leakyRelu' || l.activation === 'elu')
          .map((l) => [{ name: 'alpha', f: Math.fround(l.alpha ?? (l.activation === 'elu' ? 1 : 0.01)), type: 1 }]);
        expect(alphas).toEqual(expectedAlphas);
        // the parameters (the decomposed activations' scalar constants aside)
        expect(decoded.graph.initializer.filter((t) => /\.(weight|bias)$/.test(t.name)).map((t) => t.dims)).toEqual(
          config.layers.flatMap((l, i) => {
            const w = [i === 0 ? config.inputSize : config.layers[i - 1].units, l.units];
            return useBias ? [w, [l.units]] : [w];
          }),
        );
        expect(JSON.parse(decoded.metadata_props.find((p) => p.key === 'webgpu-mlp')?.value ?? '')).toMatchObject({ layers: config.layers, loss: config.loss });
      });
    }
  }

  it('names the graph input and output as asked, and refuses bad options', async () => {
    const model = await MLP.create({ ...architectures[2].config, backend: 'cpu' });
    const x = seededRows(3, 4, 2);
    const diff = maxDiff(await model.predict(x), await runOnnx(await toOnnx(model, { inputName: 'features', outputName: 'probability' }), x, 'features', 'probability'));
    expect(diff).toBeLessThanOrEqual(TOL);
    await expect(toOnnx(model, { linear: 'conv' as never })).rejects.toThrow(/options\.linear must be 'gemm' or 'matmul-add', got "conv"/);
    await expect(toOnnx(model, { inputName: 'x y' })).rejects.toThrow(/options\.inputName must be a name/);
    await expect(toOnnx(model, { outputName: 'layer0.weight' })).rejects.toThrow(/clashes with the graph's own/);
    await expect(toOnnx(model, { inputName: 'a', outputName: 'a' })).rejects.toThrow(/must differ/);
    await expect(toOnnx({} as MLP)).rejects.toThrow(/expected a model created by MLP\.create/);
  });
});
