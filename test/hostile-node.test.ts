// The hostile suite on the backends Node has without a GPU, the float64 CPU path and wasm: every
// case refused with its error type and a message naming the offending value, the model's state
// byte-identical afterwards. The float32 cases run on wasm (and on WebGPU, in the browser suite).
import { describe, expect, it } from 'vitest';
import { MLP, gradientCheck } from '../src';
import { hostileCases, runHostileCase } from './cases/hostile';

for (const backend of ['cpu', 'wasm'] as const) {
  const cases = hostileCases.filter((c) => c.only === undefined || c.only === (backend === 'cpu' ? 'cpu' : 'float32'));
  describe(`hostile calls (${backend}): refused clearly, state byte-identical`, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const r = await runHostileCase(c, MLP, gradientCheck, backend);
        expect(r.failures, `${c.name}: ${r.outcome}`).toEqual([]);
      });
    }
    it('has at least 120 cases on this backend', () => expect(cases.length).toBeGreaterThanOrEqual(120));
  });
}
