/**
 * CSV files as training data: parsing (RFC 4180 quoting, `,` `;` or tab delimiters, CRLF, BOM)
 * and encoding into a numeric matrix (numeric columns standardized, text columns one-hot) plus
 * targets. Rows that cannot be used are skipped and reported by their line number in the file;
 * nothing in a user's file makes these functions crash.
 *
 * @example
 * const table = parseCsv(await file.text());
 * const data = encodeCsv(table, { target: 'species' });
 * data.badRows; // [{ line: 17, reason: "column 'petal_width' expects a number, got 'n/a?'" }]
 */

/** A row that was skipped, with the 1-based line of the file it starts on. */
export interface BadRow {
  line: number;
  reason: string;
}

/** A parsed CSV file: the header and the well-formed records, each with its starting line. */
export interface CsvTable {
  header: string[];
  rows: string[][];
  /** 1-based line number where each of `rows` starts. */
  lines: number[];
  /** Records that were skipped while parsing (wrong field count, unterminated quote). */
  badRows: BadRow[];
  /** The delimiter used. */
  delimiter: ',' | ';' | '\t';
  /** Notes about the header (renamed empty or duplicate names). */
  warnings: string[];
}

/** Delimiters recognised when none is given. */
export const DELIMITERS = [',', ';', '\t'] as const;

/** Values treated as missing (compared case-insensitively after trimming). */
export const MISSING_VALUES = ['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-'];

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** True when `v` (trimmed) is a missing-value marker. */
export const isMissing = (v: string): boolean => MISSING_VALUES.includes(v.trim().toLowerCase());

/** The number written in `v`, or null when it is not a plain decimal number. */
export function parseNumber(v: string): number | null {
  const t = v.trim();
  if (!NUMBER.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** Splits text into records of raw fields, tracking the line each record starts on. */
function records(text: string, delimiter: string): { fields: string[]; line: number; error?: string }[] {
  const out: { fields: string[]; line: number; error?: string }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  const endRecord = () => {
    fields.push(field);
    // a record made of one empty field is a blank line
    if (!(fields.length === 1 && fields[0].trim() === '')) out.push({ fields, line: recordLine });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      if (c !== ' ' && c !== '\t') fieldStarted = true;
    }
  }
  if (quoted) {
    out.push({ fields: [], line: recordLine, error: `unterminated quoted field (the file's remaining ${line - recordLine + 1} line(s) were skipped)` });
  } else if (field !== '' || fields.length > 0) {
    endRecord();
  }
  return out;
}

/** Picks the delimiter that splits the first line into the most fields. */
function detectDelimiter(text: string): ',' | ';' | '\t' {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  let best: ',' | ';' | '\t' = ',';
  let most = 0;
  for (const d of DELIMITERS) {
    const n = records(first, d)[0]?.fields.length ?? 0;
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

/**
 * Parses CSV text whose first record is the header. Blank lines are ignored; records with the
 * wrong number of fields are reported in `badRows` with their line number and skipped.
 * Throws only when there is no header at all.
 *
 * @example
 * parseCsv('a,b\n1,"x, y"\n2\n').badRows; // [{ line: 3, reason: 'expected 2 fields, got 1' }]
 */
export function parseCsv(text: string, options: { delimiter?: ',' | ';' | '\t' } = {}): CsvTable {
  if (typeof text !== 'string') throw new TypeError(`parseCsv expects the file's text, got ${typeof text}`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const delimiter = options.delimiter ?? detectDelimiter(body);
  const recs = records(body, delimiter);
  const head = recs.shift();
  if (!head || head.error) throw new Error(head?.error ? `the header (line ${head.line}) is malformed: ${head.error}` : 'the file is empty: a header line naming the columns is needed');
  const warnings: string[] = [];
  const seen = new Map<string, number>();
  const header = head.fields.map((raw, i) => {
    let name = raw.trim();
    if (name === '') {
      name = `column ${i + 1}`;
      warnings.push(`column ${i + 1} has no name in the header; called it '${name}'`);
    }
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    if (count > 0) {
      const renamed = `${name} (${count + 1})`;
      warnings.push(`column name '${name}' appears more than once; column ${i + 1} is called '${renamed}'`);
      name = renamed;
    }
    return name;
  });
  const rows: string[][] = [];
  const lines: number[] = [];
  const badRows: BadRow[] = [];
  for (const r of recs) {
    if (r.error) badRows.push({ line: r.line, reason: r.error });
    else if (r.fields.length !== header.length) badRows.push({ line: r.line, reason: `expected ${header.length} fields, got ${r.fields.length}` });
    else {
      rows.push(r.fields.map((f) => f.trim()));
      lines.push(r.line);
    }
  }
  return { header, rows, lines, badRows, delimiter, warnings };
}

/** How a column is encoded. */
export type ColumnKind = 'numeric' | 'categorical';

/** What {@link describeColumns} finds about one column. */
export interface ColumnInfo {
  name: string;
  index: number;
  kind: ColumnKind;
  /** Number of distinct non-missing values. */
  distinct: number;
  /** Number of missing values. */
  missing: number;
  /** True when every non-missing value is an integer (numeric columns). */
  integer: boolean;
}

/** Share of non-missing values that must be numbers for a column to count as numeric. */
export const NUMERIC_SHARE = 0.9;

/**
 * Classifies each column: numeric when at least {@link NUMERIC_SHARE} of its non-missing values
 * are numbers (the others then make their rows bad), categorical otherwise.
 */
export function describeColumns(table: CsvTable): ColumnInfo[] {
  return table.header.map((name, index) => {
    const values = new Set<string>();
    let missing = 0;
    let numeric = 0;
    let integer = true;
    for (const row of table.rows) {
      const v = row[index];
      if (isMissing(v)) {
        missing++;
        continue;
      }
      values.add(v);
      const n = parseNumber(v);
      if (n !== null) {
        numeric++;
        if (!Number.isInteger(n)) integer = false;
      }
    }
    const present = table.rows.length - missing;
    const kind: ColumnKind = present > 0 && numeric >= NUMERIC_SHARE * present ? 'numeric' : 'categorical';
    return { name, index, kind, distinct: values.size, missing, integer: kind === 'numeric' && integer };
  });
}

/** Options for {@link encodeCsv}. */
export interface EncodeOptions {
  /** The target column, by name or 0-based index. */
  target: string | number;
  /**
   * `classification` (one class per distinct target value), `regression` (a standardized number),
   * or `auto` (default): classification for text targets and for integer targets with at most
   * {@link AUTO_CLASS_LIMIT} distinct values, regression otherwise.
   */
  task?: 'auto' | 'classification' | 'regression';
  /** Column names to leave out of the inputs. */
  exclude?: string[];
  /** Text columns with more distinct values than this are left out (default 50). */
  maxCategories?: number;
  /**
   * Standardize numeric input columns to mean 0 and standard deviation 1 (default true); when
   * false they are used as written. A regression target is standardized either way.
   */
  standardize?: boolean;
}

/** Integer targets with at most this many distinct values are classes under `task: 'auto'`. */
export const AUTO_CLASS_LIMIT = 10;

/** How one input column was turned into numbers. */
export type FeatureTransform =
  | { column: string; kind: 'numeric'; mean: number; std: number }
  | { column: string; kind: 'categorical'; categories: string[] };

/** A CSV file as a model's training data. */
export interface EncodedCsv {
  /** Inputs, row-major `[rows, cols]`. */
  x: Float64Array;
  rows: number;
  cols: number;
  /** Name of each input column (`column=value` for one-hot columns). */
  featureNames: string[];
  /** Class index per row (classification) or the standardized target (regression). */
  y: number[];
  task: 'classification' | 'regression';
  /** Class names, index = class (classification), else null. */
  classes: string[] | null;
  /** Target standardization (regression): original = y·std + mean. */
  targetScale: { mean: number; std: number } | null;
  /** How each used column was encoded. */
  transforms: FeatureTransform[];
  /** File line of each encoded row. */
  lines: number[];
  /** Rows skipped while parsing or encoding, by line. */
  badRows: BadRow[];
  /** Columns left out and other notes. */
  warnings: string[];
}

const naturalOrder = (values: string[]): string[] => {
  const nums = values.map(parseNumber);
  if (nums.every((n) => n !== null)) return values.map((v, i) => [v, nums[i]!] as const).sort((a, b) => a[1] - b[1]).map((p) => p[0]);
  return values.slice().sort((a, b) => a.localeCompare(b));
};

/**
 * Encodes a parsed table for training: the target column becomes class indices or a standardized
 * number; numeric columns are standardized (mean 0, standard deviation 1, over the usable rows) unless
 * `standardize` is false;
 * text columns become one-hot blocks. Rows with a missing value, or text where a number is
 * expected, are skipped and listed in `badRows` by line. Throws (naming the column) when the
 * target is unknown or nothing usable is left.
 *
 * @example
 * const d = encodeCsv(parseCsv('x,colour,label\n1,red,a\n3,blue,b\n'), { target: 'label' });
 * d.featureNames; // ['x', 'colour=blue', 'colour=red']
 * d.y;            // [0, 1]
 */
export function encodeCsv(table: CsvTable, options: EncodeOptions): EncodedCsv {
  const columns = describeColumns(table);
  const t =
    typeof options.target === 'number'
      ? columns[options.target]
      : columns.find((c) => c.name === options.target);
  if (!t) {
    throw new RangeError(`target column ${JSON.stringify(options.target)} is not in the file; its columns are ${table.header.map((h) => `'${h}'`).join(', ')}`);
  }
  const task = options.task ?? 'auto';
  if (!['auto', 'classification', 'regression'].includes(task)) throw new RangeError(`task must be 'auto', 'classification' or 'regression', got ${JSON.stringify(task)}`);
  if (task === 'regression' && t.kind !== 'numeric') throw new RangeError(`target column '${t.name}' holds text, so it cannot be a regression target; use classification`);
  const resolvedTask =
    task !== 'auto' ? task : t.kind === 'categorical' || (t.integer && t.distinct <= AUTO_CLASS_LIMIT) ? 'classification' : 'regression';
  const maxCategories = options.maxCategories ?? 50;
  const exclude = new Set(options.exclude ?? []);
  const warnings = [...table.warnings];
  for (const name of exclude) if (!table.header.includes(name)) warnings.push(`excluded column '${name}' is not in the file`);

  const features: ColumnInfo[] = [];
  for (const c of columns) {
    if (c === t || exclude.has(c.name)) continue;
    if (c.kind === 'categorical' && c.distinct > maxCategories) {
      warnings.push(`column '${c.name}' has ${c.distinct} distinct text values (more than ${maxCategories}); left out of the inputs`);
      continue;
    }
    features.push(c);
  }

  // which rows are usable
  const badRows: BadRow[] = [...table.badRows];
  const good: number[] = [];
  for (let r = 0; r < table.rows.length; r++) {
    const row = table.rows[r];
    let reason: string | null = null;
    for (const c of [t, ...features]) {
      const v = row[c.index];
      if (isMissing(v)) reason = `column '${c.name}' is empty or missing ('${v}')`;
      else if (c.kind === 'numeric' && parseNumber(v) === null) reason = `column '${c.name}' expects a number, got '${v}'`;
      if (reason) break;
    }
    if (reason) badRows.push({ line: table.lines[r], reason });
    else good.push(r);
  }
  badRows.sort((a, b) => a.line - b.line);
  if (good.length === 0) {
    throw new Error(`no usable rows: all ${table.rows.length} data rows have a problem` + (badRows[0] ? ` (first: line ${badRows[0].line}: ${badRows[0].reason})` : ''));
  }

  // encoders, fitted on the usable rows
  const transforms: FeatureTransform[] = [];
  const featureNames: string[] = [];
  for (const c of features) {
    if (c.kind === 'numeric') {
      let sum = 0;
      for (const r of good) sum += parseNumber(table.rows[r][c.index])!;
      const mean = sum / good.length;
      let sq = 0;
      for (const r of good) sq += (parseNumber(table.rows[r][c.index])! - mean) ** 2;
      const std = Math.sqrt(sq / good.length);
      if (std === 0) {
        warnings.push(`column '${c.name}' has the same value in every usable row; left out of the inputs`);
        continue;
      }
      transforms.push(options.standardize === false ? { column: c.name, kind: 'numeric', mean: 0, std: 1 } : { column: c.name, kind: 'numeric', mean, std });
      featureNames.push(c.name);
    } else {
      const categories = naturalOrder([...new Set(good.map((r) => table.rows[r][c.index]))]);
      if (categories.length < 2) {
        warnings.push(`column '${c.name}' has the same value in every usable row; left out of the inputs`);
        continue;
      }
      transforms.push({ column: c.name, kind: 'categorical', categories });
      for (const v of categories) featureNames.push(`${c.name}=${v}`);
    }
  }
  if (featureNames.length === 0) throw new Error(`no input columns are left besides the target '${t.name}' (see the warnings: ${warnings.join('; ') || 'none'})`);

  const cols = featureNames.length;
  const x = new Float64Array(good.length * cols);
  const index = new Map(columns.map((c) => [c.name, c.index]));
  good.forEach((r, i) => {
    const row = table.rows[r];
    let j = i * cols;
    for (const tr of transforms) {
      const v = row[index.get(tr.column)!];
      if (tr.kind === 'numeric') x[j++] = (parseNumber(v)! - tr.mean) / tr.std;
      else {
        x[j + tr.categories.indexOf(v)] = 1;
        j += tr.categories.length;
      }
    }
  });

  let y: number[];
  let classes: string[] | null = null;
  let targetScale: { mean: number; std: number } | null = null;
  if (resolvedTask === 'classification') {
    // numeric labels are compared as numbers, so '1' and '1.0' are one class
    const key = (v: string) => (t.kind === 'numeric' ? String(parseNumber(v)) : v);
    classes = naturalOrder([...new Set(good.map((r) => key(table.rows[r][t.index])))]);
    if (classes.length < 2) throw new Error(`target column '${t.name}' has a single value ('${classes[0]}') in the usable rows; there is nothing to classify`);
    const of = new Map(classes.map((c, i) => [c, i]));
    y = good.map((r) => of.get(key(table.rows[r][t.index]))!);
  } else {
    const raw = good.map((r) => parseNumber(table.rows[r][t.index])!);
    const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
    const std = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length) || 1;
    targetScale = { mean, std };
    y = raw.map((v) => (v - mean) / std);
  }
  return {
    x,
    rows: good.length,
    cols,
    featureNames,
    y,
    task: resolvedTask,
    classes,
    targetScale,
    transforms,
    lines: good.map((r) => table.lines[r]),
    badRows,
    warnings,
  };
}
