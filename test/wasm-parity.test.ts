// The wasm backend's parity matrix in Node (the cases: test/wasm-parity-cases.ts; the same run in
// headless Chromium: test/wasm.browser.test.ts).
import { describe, expect, it } from 'vitest';
import { WASM_PARITY_GROUPS, WASM_THREADED_CASES } from './wasm-parity-cases';

const groups = { ...WASM_PARITY_GROUPS, 'wasm on worker threads vs CPU': WASM_THREADED_CASES };
for (const [group, cases] of Object.entries(groups)) {
  describe(group, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const failures = await c.run();
        expect(failures, failures.join('\n')).toEqual([]);
      });
    }
  });
}
