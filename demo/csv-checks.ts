/**
 * What the CSV panel checks before a file becomes training data, and how it guesses the target:
 * a file that is not text (an image, a spreadsheet, an archive), a table with no numeric columns,
 * rows of ragged lengths, or a single row are refused with the reason; the target is the column
 * named like one (label, target, class, y, …) or else the last.
 *
 * @example
 * notTextReason(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), 'cat.png'); // "cat.png is a PNG image, not a CSV file"
 * guessTarget(['id', 'label', 'x']); // 1
 */
import { type CsvTable, describeColumns } from './csv';

/** File signatures of formats people pick by mistake. */
const SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an .xlsx spreadsheet is one: save it as CSV first)' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Office document (.xls: save it as CSV first)' },
];

/** Bytes inspected for control characters. */
const SNIFF_BYTES = 4096;

/** Why `bytes` are not a text file, or null when they look like text. */
export function notTextReason(bytes: Uint8Array, name: string): string | null {
  if (bytes.length === 0) return `${name} is empty`;
  for (const s of SIGNATURES) {
    if (s.bytes.every((b, i) => bytes[i] === b)) return `${name} is ${s.what}, not a CSV file`;
  }
  const head = bytes.subarray(0, SNIFF_BYTES);
  let control = 0;
  for (const b of head) {
    if (b === 0) return `${name} is not a text file (it contains NUL bytes), so it is not a CSV file`;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13) control++;
  }
  if (control > head.length * 0.05) return `${name} is not a text file (${control} control bytes in its first ${head.length}), so it is not a CSV file`;
  return null;
}

/** Why a parsed table cannot be trained on (one row, ragged rows, no numeric column), or null. */
export function tableProblem(table: CsvTable, name: string): string | null {
  const ragged = table.badRows.filter((b) => /^expected \d+ fields/.test(b.reason));
  const records = table.rows.length + table.badRows.length;
  if (records === 0) return `${name} has a header line but no data rows`;
  if (ragged.length > 0 && ragged.length >= table.rows.length) {
    const counts = ragged.slice(0, 3).map((b) => `line ${b.line} has ${/got (\d+)/.exec(b.reason)?.[1] ?? '?'}`);
    return (
      `${name} has ragged rows: the header has ${table.header.length} fields, but ${ragged.length} of ${records} rows do not (${counts.join(', ')}). ` +
      `Is the delimiter right? (read as '${table.delimiter === '\t' ? 'tab' : table.delimiter}')`
    );
  }
  if (table.rows.length === 1) return `${name} has only one usable data row (line ${table.lines[0]}); training needs at least two`;
  const columns = describeColumns(table);
  if (!columns.some((c) => c.kind === 'numeric')) {
    const names = columns.slice(0, 6).map((c) => `'${c.name}'`).join(', ') + (columns.length > 6 ? ', …' : '');
    return `${name} has no numeric columns (${names} all hold text); the demo needs numbers to learn from`;
  }
  return null;
}

/** Column names that usually hold the target, most telling first (compared without case or punctuation). */
export const TARGET_NAMES = ['label', 'labels', 'target', 'class', 'y', 'outcome', 'species', 'category', 'diagnosis', 'survived', 'result', 'output', 'response', 'admit', 'grade', 'quality', 'price'];

const key = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** The index of the column in `TARGET_NAMES` order, or -1; a name ending in one (e.g. 'class_label') also counts. */
export function targetByName(header: string[]): number {
  const keys = header.map(key);
  for (const t of TARGET_NAMES) {
    const i = keys.indexOf(t);
    if (i >= 0) return i;
  }
  for (const t of TARGET_NAMES) {
    if (t.length < 3) continue;
    const i = keys.findIndex((k) => k.endsWith(t) || k.startsWith(t));
    if (i >= 0) return i;
  }
  return -1;
}

/** The default target: the column named like a target, else the last column. */
export function guessTarget(header: string[]): number {
  const i = targetByName(header);
  return i >= 0 ? i : header.length - 1;
}

/** True when `name` reads like a target column (for a warning when it is used as an input). */
export const looksLikeTarget = (name: string): boolean => targetByName([name]) === 0;
