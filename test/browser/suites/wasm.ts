// In-page side of test/wasm.browser.test.ts: the wasm backend's parity matrix
// (test/wasm-parity-cases.ts) run by this page's engine, and a model made through the public API.
import { MLP, wasmSimdMissing } from '../../../src';
import { WASM_PARITY_GROUPS, WASM_THREADED_CASES } from '../../wasm-parity-cases';

/**
 * Runs every case of one group of the matrix in this page; returns how many ran and their differences.
 *
 * @example
 * const r = await session.run('/test/browser/suites/wasm.ts', 'runWasmParityGroup', 'wasm vs CPU: odd shapes');
 */
export async function runWasmParityGroup(group: string): Promise<{ cases: number; failures: string[] }> {
  const cases = WASM_PARITY_GROUPS[group];
  if (!cases) return { cases: 0, failures: [`no group named ${group}`] };
  const failures: string[] = [];
  for (const c of cases) failures.push(...(await c.run()));
  return { cases: cases.length, failures };
}

/**
 * The threaded cases of the matrix (products split across worker threads sharing one memory) in
 * this page, which must be cross-origin isolated for SharedArrayBuffer; each case checks that its
 * jobs were handed to workers.
 *
 * @example
 * const r = await isolated.run('/test/browser/suites/wasm.ts', 'runWasmThreadedCases');
 */
export async function runWasmThreadedCases(): Promise<{ isolated: boolean; cases: number; failures: string[] }> {
  const failures: string[] = [];
  for (const c of WASM_THREADED_CASES) failures.push(...(await c.run()));
  return { isolated: globalThis.crossOriginIsolated === true, cases: WASM_THREADED_CASES.length, failures };
}

/**
 * XOR through `MLP` with `backend: 'wasm'` in this page: the backend it reports, why, and its accuracy.
 *
 * @example
 * const r = await session.run('/test/browser/suites/wasm.ts', 'xorOnWasm');
 */
export async function xorOnWasm(): Promise<{ missing: string | null; backend: string; reason: string; accuracy: number }> {
  const model = await MLP.create({ inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', seed: 11, backend: 'wasm' });
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const y = [[0], [1], [1], [0]];
  await model.fit(x, y, { epochs: 300, batchSize: 4, learningRate: 0.1, optimizer: 'adam' });
  const { accuracy } = await model.evaluate(x, y);
  const out = { missing: wasmSimdMissing(), backend: model.backend, reason: model.backendReason, accuracy };
  model.dispose();
  return out;
}
