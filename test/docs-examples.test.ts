// Every `ts`/`js` code block of README.md and docs/**/*.md (docs/api/ excepted) runs here, on the
// CPU backend in Node, or is marked as not runnable (`no-run` in its info string, or
// `<!-- not runnable: why -->` right above it). A block runs as its own text: written to a module
// under test-output/ (gitignored; inside the repo so its bare imports resolve) with only the
// 'webgpu-mlp' and 'webgpu-mlp/interop' specifiers pointed at src/, then imported.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type CodeBlock, codeBlocks, markdownFiles, repoRoot } from './docs-markdown';

const SCRIPT_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);
const workDir = join(repoRoot, 'test-output', 'docs-examples');

const blocks = markdownFiles().flatMap(codeBlocks).filter((b) => SCRIPT_LANGS.has(b.lang));
const runnable = blocks.filter((b) => b.notRunnable === null);
const marked = blocks.filter((b) => b.notRunnable !== null);

/** The block's text with the package's import specifiers pointed at the sources. */
function asModule(b: CodeBlock): string {
  const entry = (sub: string | undefined) => JSON.stringify(join(repoRoot, sub ? 'src/interop/index.ts' : 'src/index.ts'));
  return b.code.replace(/(\bfrom\s*|\bimport\s*\(\s*)(['"])webgpu-mlp(\/interop)?\2/g, (_m, head: string, _q: string, sub?: string) => `${head}${entry(sub)}`);
}

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the docs code blocks', () => {
  it('are counted: each runs below or says why it cannot', () => {
    console.log(`${blocks.length} ts/js blocks in ${markdownFiles().length} markdown files: ${runnable.length} run, ${marked.length} marked not runnable`);
    for (const b of marked) console.log(`  not run: ${b.file}:${b.line} (${b.notRunnable})`);
    expect(blocks.length).toBeGreaterThan(0);
    expect(runnable.length, 'at least half of the blocks should run').toBeGreaterThanOrEqual(marked.length);
    for (const b of marked) expect(b.notRunnable, `${b.file}:${b.line} is marked not runnable without saying why`).not.toBe('');
  });

  for (const b of runnable) {
    it(`${b.file}:${b.line} runs`, async () => {
      mkdirSync(workDir, { recursive: true });
      const path = join(workDir, `${b.file.replace(/[/.]/g, '_')}_${b.line}.ts`);
      writeFileSync(path, asModule(b));
      // the blocks print what a reader would see; keep the test's output to its own lines
      const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await import(/* @vite-ignore */ path);
      } finally {
        quiet.mockRestore();
      }
    }, 120_000);
  }
});
