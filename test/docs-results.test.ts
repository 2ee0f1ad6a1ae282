// bench/RESULTS.md is generated from bench/results*.json (bench/results-md.mjs, run by npm run
// bench after every run): the file in the repository must be what the writer makes of the JSON.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './docs-markdown';

it('bench/RESULTS.md matches the JSON results it is written from', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bench/results-md.mjs'), '--check'], { encoding: 'utf8' });
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
});
