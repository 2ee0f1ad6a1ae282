// The wasm backend's parity matrix in Node (the cases: test/wasm-parity-cases.ts; the same run in
// headless Chromium: test/wasm.browser.test.ts).
import { describe, expect, it } from 'vitest';
import { WASM_PARITY_GROUPS } from './wasm-parity-cases';

for (const [group, cases] of Object.entries(WASM_PARITY_GROUPS)) {
  describe(group, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const failures = await c.run();
        expect(failures, failures.join('\n')).toEqual([]);
      });
    }
  });
}
