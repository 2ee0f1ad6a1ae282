/**
 * webgpu-mlp/interop: models in and out of other runtimes' formats — safetensors (PyTorch),
 * the TensorFlow.js layers format, and ONNX — and training sets as safetensors. A separate entry
 * point, so the core bundle keeps no dependencies; it works on models from `webgpu-mlp`.
 *
 * @example
 * import { MLP } from 'webgpu-mlp';
 * import { fromSafetensors, toOnnx, toSafetensors } from 'webgpu-mlp/interop';
 * const model = await MLP.create({ inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy' });
 * const bytes = await toSafetensors(model);     // load in PyTorch as nn.Sequential
 * const again = await fromSafetensors(bytes);    // same predictions (weights stored as float32)
 * const onnx = await toOnnx(model);              // run with onnxruntime
 */
export { toSafetensors, fromSafetensors, SAFETENSORS_CONFIG_KEY } from './safetensors';
export { datasetToSafetensors } from './dataset';
export { toTfjsLayers, fromTfjsLayers, type TfjsModelJson, type TfjsWeightSpec } from './tfjs-layers';
export { toOnnx, ONNX_OPSET, ONNX_NORM_OPSET, type OnnxOptions } from './onnx';
export { MAX_IMPORT_PARAMETERS, type ImportOptions, type Bytes } from './common';
export { MAX_HEADER_BYTES } from './safetensors-format';
