// The seeded fuzzer on the CPU backend: thousands of mutated public calls per run, each ending in
// a clear TypeError/RangeError or in a sound model (finite, round-trips through JSON); never a
// hang, a raw engine error or a leak. FUZZ_SEED reproduces a run; FUZZ_CASES sets its size.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MLP, gradientCheck } from '../src';
import { fuzzCase, runFuzzCase } from './cases/fuzz';
import { heapUsed } from './cases/heap';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const cases = Number(process.env.FUZZ_CASES ?? 2500);

describe(`fuzzer (cpu), seed ${seed}`, () => {
  it(`${cases} mutated calls: a clear TypeError/RangeError or a sound model, in under a minute, without leaks`, async () => {
    console.log(`fuzz seed ${seed} (rerun with FUZZ_SEED=${seed})`);
    const controller = new AbortController();
    const t0 = performance.now();
    let refused = 0;
    let heap0 = 0;
    const failures: string[] = [];
    for (let i = 0; i < cases; i++) {
      if (i === 200) heap0 = heapUsed();
      const c = fuzzCase(seed, i, 'cpu', controller.signal);
      const r = await runFuzzCase(c, MLP, gradientCheck, 'cpu');
      if (r.refused) refused++;
      for (const f of r.failures) failures.push(`FUZZ_SEED=${seed} case ${i} (${c.description}): ${f}`);
      if (failures.length >= 10) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const heapGrowth = heapUsed() - heap0;
    console.log(`fuzz seed ${seed}: ${cases} cases in ${seconds.toFixed(1)} s, ${refused} refused clearly, ${cases - refused} succeeded soundly; heap growth after case 200: ${(heapGrowth / 1e6).toFixed(2)} MB`);
    expect(failures, `seed ${seed}`).toEqual([]);
    expect(seconds, `seed ${seed}`).toBeLessThan(60);
    expect(heapGrowth, `seed ${seed}: heap growth`).toBeLessThan(8e6);
    expect(getEventListeners(controller.signal, 'abort').length, `seed ${seed}: listeners left on a shared signal`).toBe(0);
    expect(refused).toBeGreaterThan(cases * 0.3);
    expect(cases - refused).toBeGreaterThan(cases * 0.05);
  });
});
