// Bad input on the CPU backend: a clear error naming the value, and the model left as it was.
import { describe, expect, it } from 'vitest';
import { MLP } from '../src';
import { badInputCases, baseConfig } from './cases/bad-input';

describe('bad input (cpu)', () => {
  for (const c of badInputCases) {
    it(c.name, async () => {
      const model = await MLP.create(baseConfig('cpu'));
      const before = await model.getWeights();
      await expect(c.run(model, MLP, 'cpu')).rejects.toThrow(c.message);
      if (!c.altersModel) expect(await model.getWeights()).toEqual(before);
    });
  }
  it('has at least 25 cases', () => expect(badInputCases.length).toBeGreaterThanOrEqual(25));
});
