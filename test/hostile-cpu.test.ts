// The hostile suite on the CPU backend (Node): every case refused with its error type and a
// message naming the offending value, the model's state byte-identical afterwards.
import { describe, expect, it } from 'vitest';
import { MLP, gradientCheck } from '../src';
import { hostileCases, runHostileCase } from './cases/hostile';

const cases = hostileCases.filter((c) => c.only === undefined || c.only === 'cpu');

describe('hostile calls (cpu): refused clearly, state byte-identical', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runHostileCase(c, MLP, gradientCheck, 'cpu');
      expect(r.failures, `${c.name}: ${r.outcome}`).toEqual([]);
    });
  }
  it('has at least 120 cases on this backend', () => expect(cases.length).toBeGreaterThanOrEqual(120));
});
