// The project's markdown as the docs tests read it: which files count, their fenced code blocks
// (with the mark that says a block does not run), their links, and the anchors their headings
// make on GitHub. Plain string scanning: the files are ours, written in plain CommonMark.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The repository's root folder (absolute). */
export const repoRoot = resolve(import.meta.dirname, '..');

/** docs/api/ is written by TypeDoc from the sources; these tests read only hand-written pages. */
const GENERATED = 'docs/api';

/**
 * README.md, CHANGELOG.md and every docs/**\/*.md but docs/api/, as repo-relative paths.
 * @example
 * markdownFiles(); // ['CHANGELOG.md', 'README.md', 'docs/README.md', 'docs/architecture.md', …]
 */
export function markdownFiles(): string[] {
  const out = ['README.md', 'CHANGELOG.md'].filter((f) => existsSync(join(repoRoot, f)));
  const walk = (dir: string) => {
    for (const name of readdirSync(join(repoRoot, dir)).sort()) {
      const path = `${dir}/${name}`;
      if (path === GENERATED) continue;
      if (statSync(join(repoRoot, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) out.push(path);
    }
  };
  if (existsSync(join(repoRoot, 'docs'))) walk('docs');
  return out.sort();
}

/** One fenced code block of a markdown file. */
export interface CodeBlock {
  /** Repo-relative path of the markdown file. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, lower-cased (`ts`, `js`, `sh`, …; '' when none). */
  lang: string;
  /** Why the block is not run (`no-run` in its info string, or `<!-- not runnable: why -->` above it); null when it runs. */
  notRunnable: string | null;
  code: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const NOT_RUNNABLE = /^<!--\s*not runnable:\s*(.*?)\s*-->$/;

/**
 * The fenced code blocks of `file` (repo-relative), in order.
 * @example
 * codeBlocks('README.md').filter((b) => b.lang === 'ts');
 */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = FENCE.exec(lines[j]);
      if (close && close[2][0] === fence[0] && close[2].length >= fence.length && close[3].trim() === '') break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    const words = info.trim().split(/\s+/);
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const mark = k >= 0 ? NOT_RUNNABLE.exec(lines[k].trim()) : null;
    const notRunnable = words.includes('no-run') ? 'marked no-run' : mark ? mark[1] : null;
    blocks.push({ file, line: i + 1, lang: (words[0] ?? '').toLowerCase(), notRunnable, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The lines of `file` with fenced blocks blanked out (line numbers kept). */
function outsideFences(file: string): string[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  let fence: string | null = null;
  return lines.map((l) => {
    const f = FENCE.exec(l);
    if (fence) {
      if (f && f[2][0] === fence[0] && f[2].length >= fence.length && f[3].trim() === '') fence = null;
      return '';
    }
    if (f) fence = f[2];
    return f ? '' : l;
  });
}

/** The lines of `file` outside code (fenced blocks and inline code blanked), so links are read from prose only. */
const prose = (file: string): string[] => outsideFences(file).map((l) => l.replace(/(`+)[^`]*?\1/g, (m) => ' '.repeat(m.length)));

/** One link of a markdown file: its target as written and where it is. */
export interface Link {
  file: string;
  line: number;
  target: string;
}

/**
 * Every link and image of `file` outside code: `[text](target)`, `![alt](target)`,
 * `[label]: target` definitions, and `href`/`src` attributes.
 * @example
 * links('README.md').filter((l) => !/^[a-z]+:/.test(l.target));
 */
export function links(file: string): Link[] {
  const out: Link[] = [];
  prose(file).forEach((text, i) => {
    const add = (target: string) => out.push({ file, line: i + 1, target: target.trim().replace(/^<|>$/g, '') });
    for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) add(m[1]);
    for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*(\S+)/g)) add(m[1]);
    for (const m of text.matchAll(/\b(?:href|src)="([^"]+)"/g)) add(m[1]);
  });
  return out;
}

/**
 * The slug GitHub gives a heading (github-slugger): lower case, everything but letters, digits,
 * marks, `_`, `-` and spaces dropped, each space a hyphen.
 * @example
 * slug('Node, on a GPU (Dawn)'); // 'node-on-a-gpu-dawn'
 */
export function slug(heading: string): string {
  const text = heading
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/**
 * The anchors `file` (repo-relative) offers: its headings' slugs (a repeated slug gets -1, -2, …)
 * and any `id="…"` or `name="…"` attribute.
 * @example
 * anchors('docs/options.md').has('training'); // true
 */
export function anchors(file: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of outsideFences(file)) {
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/\b(?:id|name)="([^"]+)"/g)) out.add(m[1]);
  }
  return out;
}

/**
 * `path` (absolute) relative to the repository, with forward slashes.
 * @example
 * repoPath(join(repoRoot, 'docs', 'README.md')); // 'docs/README.md'
 */
export const repoPath = (path: string): string => relative(repoRoot, path).split('\\').join('/');
