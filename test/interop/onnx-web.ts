// In-page half of test/interop-onnx.browser.test.ts: models exported with toOnnx and run by
// onnxruntime-web (its wasm build, files served from node_modules by the test's Vite server).
import * as ort from 'onnxruntime-web/wasm';
import { MLP } from '../../src';
import { toOnnx } from '../../src/interop';
import { getDevice, withValidation } from '../browser/suites/gpu-context';
import { architectures, seededRows, trainingData } from './cases';

ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
ort.env.wasm.numThreads = 1;

export interface WebResult {
  name: string;
  backend: string;
  linear: string;
  maxDiff: number;
}

async function runOnnx(bytes: Uint8Array, x: number[][]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const input = new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, x[0].length]);
  const out = (await session.run({ input })).output;
  await session.release();
  const cols = out.dims[1];
  const data = out.data as Float32Array;
  return Array.from({ length: x.length }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
}

function maxDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, r) => row.forEach((v, c) => (worst = Math.max(worst, Number.isFinite(b[r]?.[c]) ? Math.abs(v - b[r][c]) : Infinity))));
  return worst;
}

/**
 * Trains each architecture a few epochs on `backend` in this page, exports it with toOnnx (Gemm
 * and MatMul + Add) and runs it in onnxruntime-web; returns the largest prediction differences.
 */
export async function onnxWebParity(backend: 'cpu' | 'webgpu'): Promise<{ failures: string[]; results: WebResult[] }> {
  const results: WebResult[] = [];
  const device = backend === 'webgpu' ? await getDevice() : undefined;
  const body = async (): Promise<string[]> => {
    for (const { name, config } of architectures) {
      const model = await MLP.create({ ...config, backend }, { device });
      try {
        const { x, y } = trainingData(config);
        await model.fit(x, y, { epochs: 5, batchSize: 8, learningRate: 0.05, optimizer: 'adam' });
        const probe = seededRows(23, 16, config.inputSize);
        const ours = await model.predict(probe);
        for (const linear of ['gemm', 'matmul-add'] as const) {
          results.push({ name, backend: model.backend, linear, maxDiff: maxDiff(ours, await runOnnx(await toOnnx(model, { linear }), probe)) });
        }
      } finally {
        model.dispose();
      }
    }
    return [];
  };
  const failures = device ? await withValidation(device, body) : await body().catch((e: Error) => [`threw: ${e.stack ?? e}`]);
  return { failures, results };
}
