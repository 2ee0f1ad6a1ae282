// Every relative link of README.md, CHANGELOG.md and docs/**/*.md (docs/api/ excepted) resolves:
// the file or folder exists inside the repository, and an `#anchor` into markdown names one of
// its headings (as GitHub slugs them). Links with a scheme (https:, mailto:) are not followed.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, links, markdownFiles, repoPath, repoRoot } from './docs-markdown';

const files = markdownFiles();

/** What is wrong with `target`, linked from `file`; null when it resolves. */
function problem(file: string, target: string): string | null {
  const [path, anchor] = target.split('#', 2);
  const abs = path === '' ? join(repoRoot, file) : resolve(dirname(join(repoRoot, file)), decodeURI(path));
  const rel = repoPath(abs);
  if (rel.startsWith('..')) return `${target} points outside the repository (${rel})`;
  if (!existsSync(abs)) return `${target}: ${rel} does not exist`;
  if (anchor !== undefined && rel.endsWith('.md') && !anchors(rel).has(anchor)) {
    return `${target}: ${rel} has no heading with the anchor #${anchor} (it has ${[...anchors(rel)].map((a) => `#${a}`).join(' ')})`;
  }
  return null;
}

describe('the docs links', () => {
  it('are found', () => {
    const count = files.reduce((n, f) => n + links(f).length, 0);
    console.log(`${count} links in ${files.length} markdown files`);
    expect(files).toContain('README.md');
    expect(count).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`${file}: every relative link resolves`, () => {
      const bad = links(file)
        .filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target))
        .map((l) => [l, problem(file, l.target)] as const)
        .filter(([, p]) => p !== null)
        .map(([l, p]) => `${l.file}:${l.line}: ${p}`);
      expect(bad, bad.join('\n')).toEqual([]);
    });
  }
});
