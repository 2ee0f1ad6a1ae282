import { FLOAT32_MAX } from '../core/config';
import { ByteReader } from './bytes';
import { type ByteSourceFactory, type DatasetChunk, checkChunkRows } from './chunk';

/** A column: its header name, or its 0-based index. */
export type CsvColumn = string | number;

/** Options of {@link csvDataset}. */
export interface CsvDatasetOptions {
  /** The target column(s): header name(s) or 0-based index (indices). Several make a multi-output target. */
  target: CsvColumn | CsvColumn[];
  /** The input columns, in this order (default: every column that is not a target, in file order). Other columns are not read. */
  columns?: CsvColumn[];
  /** Rows per chunk (default 4096); the last chunk may be shorter. */
  chunkRows?: number;
  /** Whether the first record is a header of column names (default true). */
  header?: boolean;
  /** The field delimiter, one character (default `,`). */
  delimiter?: string;
}

/** Text decoded per step at most (bytes), so a source given whole is still parsed a piece at a time. */
const TEXT_STEP = 1 << 16;
const LF = 10;
const CR = 13;
const QUOTE = 34;
/** The largest finite float32. */
/** A plain decimal number (optionally signed, with a fraction and an exponent), as `Number` reads it. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The splitter's states. */
const State = {
  /** At the start of a field. */
  FieldStart: 0,
  /** In an unquoted field. */
  Unquoted: 1,
  /** Inside quotes. */
  Quoted: 2,
  /** Just after a quote inside quotes: a second quote is a literal one, anything else ends the quotes. */
  QuoteInQuoted: 3,
} as const;
type State = (typeof State)[keyof typeof State];

/**
 * An incremental RFC 4180 record splitter: feed it text in any pieces and it calls `onRecord`
 * with each complete record's fields and the line it starts on. Handles quoted fields (with
 * delimiters, doubled quotes and line breaks inside), CRLF, CR or LF line ends split across
 * pieces, and skips blank lines.
 */
class CsvRecords {
  private fields: string[] = [];
  private field = '';
  private state: State = State.FieldStart;
  /** Whether the current record has a quoted field (so a record of one empty quoted field is not a blank line). */
  private quotedRecord = false;
  /** A record just ended with CR: a LF right after belongs to it. */
  private skipLF = false;
  /** Inside quotes, the last character was CR (a following LF is the same line break). */
  private quotedCR = false;
  /** The current physical line (1-based). */
  private line = 1;
  private recordLine = 1;

  constructor(
    private readonly delimiter: number,
    private readonly onRecord: (fields: string[], line: number) => void,
  ) {}

  push(text: string): void {
    const d = this.delimiter;
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (this.skipLF) {
        this.skipLF = false;
        if (c === LF) {
          i++;
          continue;
        }
      }
      switch (this.state) {
        case State.FieldStart:
          if (c === QUOTE) {
            this.state = State.Quoted;
            this.quotedRecord = true;
            this.quotedCR = false;
            i++;
            continue;
          }
          // the character starts an unquoted field: read it again in that state
          this.state = State.Unquoted;
          continue;
        case State.Unquoted: {
          let j = i;
          for (; j < n; j++) {
            const k = text.charCodeAt(j);
            if (k === d || k === LF || k === CR) break;
          }
          if (j > i) this.field += text.slice(i, j);
          if (j === n) return;
          const k = text.charCodeAt(j);
          if (k === d) this.endField();
          else this.endRecord(k === CR);
          i = j + 1;
          continue;
        }
        case State.Quoted: {
          let j = i;
          for (; j < n; j++) {
            const k = text.charCodeAt(j);
            if (k === QUOTE) break;
            if (k === CR) this.line++;
            else if (k === LF && !this.quotedCR) this.line++;
            this.quotedCR = k === CR;
          }
          if (j > i) this.field += text.slice(i, j);
          if (j === n) return;
          this.state = State.QuoteInQuoted;
          i = j + 1;
          continue;
        }
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            this.field += '"';
            this.state = State.Quoted;
            this.quotedCR = false;
            i++;
            continue;
          }
          // The quotes are closed; anything up to the delimiter is kept as written (and, not
          // being a number, reported by the caller).
          this.state = State.Unquoted;
          continue;
      }
    }
  }

  /** Ends the data: flushes a last record without a line break; throws on an unclosed quote. */
  end(): void {
    if (this.state === State.Quoted) {
      throw new Error(`CSV line ${this.recordLine}: a quoted field is not closed before the end of the data`);
    }
    if (this.fields.length > 0 || this.field !== '' || this.state !== State.FieldStart) this.endRecord(false);
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = State.FieldStart;
  }

  private endRecord(cr: boolean): void {
    this.fields.push(this.field);
    const fields = this.fields;
    const line = this.recordLine;
    const blank = fields.length === 1 && !this.quotedRecord && fields[0].trim() === '';
    this.fields = [];
    this.field = '';
    this.state = State.FieldStart;
    this.quotedRecord = false;
    this.skipLF = cr;
    this.line++;
    this.recordLine = this.line;
    if (!blank) this.onRecord(fields, line);
  }
}

/** Where the inputs and targets sit in each record, resolved against the header (or the first record's width). */
interface Layout {
  width: number;
  inputs: number[];
  targets: number[];
  /** How errors name column `i`. */
  name: (i: number) => string;
  /** The header, for messages. */
  header: string[] | null;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  return typeof value === 'object' ? typeof value : String(value);
}

/** Checks a column list as given (before the header is known). */
function checkColumns(value: unknown, what: 'target' | 'columns', header: boolean): CsvColumn[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new RangeError(`csvDataset ${what} must name at least one column, got []`);
  for (const c of list) {
    if (typeof c === 'string') {
      if (!header) throw new RangeError(`csvDataset ${what} column '${c}' is a name but header is false: give 0-based column indices`);
    } else if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) {
      throw new RangeError(`csvDataset ${what} columns must be header names or 0-based indices, got ${describeValue(c)}`);
    }
  }
  return list as CsvColumn[];
}

function resolveLayout(header: string[] | null, width: number, targetSpec: CsvColumn[], inputSpec: CsvColumn[] | undefined): Layout {
  const trimmed = header?.map((h) => h.trim()) ?? null;
  const name = (i: number) => (header ? `'${header[i]}'` : `${i}`);
  const resolve = (c: CsvColumn, what: string): number => {
    if (typeof c === 'number') {
      if (c >= width) throw new RangeError(`csvDataset ${what} column ${c} is out of range: the data has ${width} columns (0 to ${width - 1})`);
      return c;
    }
    const names = trimmed as string[];
    const at = names.indexOf(c.trim());
    if (at < 0) throw new RangeError(`csvDataset ${what} column '${c}' is not in the header (${names.join(', ')})`);
    if (names.indexOf(c.trim(), at + 1) >= 0) throw new RangeError(`csvDataset ${what} column '${c}' appears more than once in the header (${names.join(', ')})`);
    return at;
  };
  const targets = targetSpec.map((c) => resolve(c, 'target'));
  const unique = (list: number[], what: string) => {
    const seen = new Set<number>();
    for (const i of list) {
      if (seen.has(i)) throw new RangeError(`csvDataset ${what} names column ${name(i)} twice`);
      seen.add(i);
    }
  };
  unique(targets, 'target');
  let inputs: number[];
  if (inputSpec) {
    inputs = inputSpec.map((c) => resolve(c, 'input'));
    unique(inputs, 'columns');
    for (const i of inputs) if (targets.includes(i)) throw new RangeError(`csvDataset column ${name(i)} is both a target and an input`);
  } else {
    inputs = [];
    for (let i = 0; i < width; i++) if (!targets.includes(i)) inputs.push(i);
    if (inputs.length === 0) throw new RangeError(`csvDataset has no input columns: every column (${width}) is a target`);
  }
  return { width, inputs, targets, name, header };
}

/** The value of one cell, or an error naming its line, column and text. */
function cellValue(text: string, line: number, column: string): number {
  const t = text.trim();
  if (t === '') throw new Error(`CSV line ${line}, column ${column}: the cell is empty`);
  const v = NUMBER.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v)) throw new Error(`CSV line ${line}, column ${column}: '${text}' is not a number`);
  if (Math.abs(v) > FLOAT32_MAX) throw new Error(`CSV line ${line}, column ${column}: ${t} is beyond the float32 range`);
  return v;
}

/**
 * Streams a numeric CSV file as training chunks, holding about one chunk (plus one 64 KiB piece
 * of text) in memory, never the file whole. UTF-8 is decoded as the bytes arrive (a leading BOM
 * is dropped, gzip is detected and undone); fields follow RFC 4180 (quoted fields may hold the
 * delimiter, doubled quotes and line breaks); CRLF or LF line ends; blank lines are skipped.
 * `target` names the target column(s); the inputs are `columns`, or every other column. Returns
 * a function: each call reopens the source and reads it from the start, so `fitDataset` can
 * replay it every epoch.
 *
 * Each chunk is `x = { data: Float32Array, shape: [rows, inputs] }`,
 * `y = { data: Float32Array, shape: [rows, targets] }`. An empty or non-numeric cell in a column
 * that is read, or a record with the wrong number of fields, rejects the iteration with the line
 * number, the column and the value. Throws at once on bad options.
 *
 * @example
 * // Node: test/fixtures/admissions.csv has the columns admit, gre, gpa, rank
 * const admissions = csvDataset(() => fs.createReadStream('test/fixtures/admissions.csv'), { target: 'admit', chunkRows: 128 });
 * for await (const { x, y } of admissions()) console.log(x.shape, y.shape); // [128, 3] [128, 1], …, [16, 3] [16, 1]
 * // Browser
 * const data = csvDataset(() => fetch('/data/houses.csv').then((r) => r.body!), { target: ['price'], columns: ['area', 'rooms'] });
 * await model.fitDataset(data, { epochs: 10 });
 */
export function csvDataset(source: ByteSourceFactory, options: CsvDatasetOptions): () => AsyncIterable<DatasetChunk> {
  if (typeof source !== 'function') {
    throw new TypeError(`csvDataset source must be a function that opens the bytes (e.g. () => fs.createReadStream(path)), got ${source === null ? 'null' : typeof source}`);
  }
  if (typeof options !== 'object' || options === null) throw new TypeError(`csvDataset needs options { target }, got ${options === null ? 'null' : typeof options}`);
  const { chunkRows = 4096, header = true, delimiter = ',' } = options;
  if (typeof header !== 'boolean') throw new TypeError(`csvDataset header must be true or false, got ${describeValue(header)}`);
  if (options.target === undefined) throw new RangeError('csvDataset needs a target column (a header name or a 0-based index)');
  const targetSpec = checkColumns(options.target, 'target', header);
  if (options.columns !== undefined && !Array.isArray(options.columns)) throw new TypeError(`csvDataset columns must be an array, got ${describeValue(options.columns)}`);
  const inputSpec = options.columns === undefined ? undefined : checkColumns(options.columns, 'columns', header);
  checkChunkRows(chunkRows);
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(`csvDataset delimiter must be one character other than a quote or a line break, got ${describeValue(delimiter)}`);
  }
  const delimiterCode = delimiter.charCodeAt(0);

  return async function* csvChunks(): AsyncGenerator<DatasetChunk, void, undefined> {
    let reader: ByteReader | undefined;
    try {
      reader = new ByteReader(await source());
      const decoder = new TextDecoder('utf-8', { fatal: true });
      let layout: Layout | null = null;
      let x = new Float32Array(0);
      let y = new Float32Array(0);
      let rows = 0;
      const ready: DatasetChunk[] = [];
      const finish = (l: Layout): DatasetChunk => {
        const full = rows * l.inputs.length === x.length;
        const chunk: DatasetChunk = {
          x: { data: full ? x : x.slice(0, rows * l.inputs.length), shape: [rows, l.inputs.length] },
          y: { data: full ? y : y.slice(0, rows * l.targets.length), shape: [rows, l.targets.length] },
        };
        rows = 0;
        return chunk;
      };
      const records = new CsvRecords(delimiterCode, (fields, line) => {
        if (!layout) {
          layout = resolveLayout(header ? fields : null, fields.length, targetSpec, inputSpec);
          if (header) return;
        }
        const l: Layout = layout;
        if (fields.length !== l.width) {
          const expected = l.header ? `${l.width} (${l.header.join(', ')})` : `${l.width}`;
          const detail =
            fields.length < l.width
              ? `no value for column ${l.name(fields.length)}`
              : `an extra value '${fields[l.width]}' after column ${l.name(l.width - 1)}`;
          throw new Error(`CSV line ${line} has ${fields.length} fields, expected ${expected}: ${detail}`);
        }
        if (rows === 0) {
          x = new Float32Array(chunkRows * l.inputs.length);
          y = new Float32Array(chunkRows * l.targets.length);
        }
        let at = rows * l.inputs.length;
        for (const i of l.inputs) x[at++] = cellValue(fields[i], line, l.name(i));
        at = rows * l.targets.length;
        for (const i of l.targets) y[at++] = cellValue(fields[i], line, l.name(i));
        if (++rows === chunkRows) ready.push(finish(l));
      });
      const decode = (bytes?: Uint8Array): string => {
        try {
          return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
        } catch (error) {
          const end = reader?.bytesRead ?? 0;
          throw new Error(`CSV is not valid UTF-8 (in bytes ${end - (bytes?.length ?? 0)} to ${end})`, { cause: error });
        }
      };
      for (;;) {
        const bytes = await reader.readSome(TEXT_STEP);
        if (!bytes) break;
        records.push(decode(bytes));
        while (ready.length > 0) yield ready.shift() as DatasetChunk;
      }
      records.push(decode());
      records.end();
      if (header && !layout) throw new Error('CSV has no header record (the data is empty)');
      if (layout && rows > 0) ready.push(finish(layout));
      while (ready.length > 0) yield ready.shift() as DatasetChunk;
    } finally {
      await reader?.close();
    }
  };
}
