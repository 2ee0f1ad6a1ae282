// ONNX Runtime for the Node-side ONNX checks: onnxruntime-web's wasm runtime, which ships inside
// its npm package (onnxruntime-node's install script downloads native libraries from outside the
// npm registry, which a machine reaching only the registry cannot do).
import * as ort from 'onnxruntime-web';

// One thread: the checks run small graphs, and worker threads would only add start-up time.
ort.env.wasm.numThreads = 1;

export { ort };
