// Numeric CSV files as training chunks, read as the bytes arrive.
import { FLOAT32_MAX } from '../core/config';
import { ByteReader } from './bytes';
import { type ByteSourceFactory, type DatasetChunk, checkChunkRows } from './chunk';
import { type CsvColumn, type Layout, checkColumns, describeOption, resolveLayout } from './csv-layout';
import { CsvRecords } from './csv-records';

export type { CsvColumn };

/**
 * Options of {@link csvDataset}.
 *
 * @example
 * const options: CsvDatasetOptions = { target: 'admit', columns: ['gre', 'gpa'], chunkRows: 128 };
 */
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
/** A plain decimal number (optionally signed, with a fraction and an exponent), as `Number` reads it. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

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
 * Streams a numeric CSV file as `{ x, y }` chunks of float32 matrices, about one chunk in memory
 * at a time. Returns a function: each call reopens the source, so `fitDataset` can replay it
 * every epoch. Throws at once on bad options; a bad cell or record rejects the iteration.
 *
 * @example
 * const admissions = csvDataset(() => fs.createReadStream('test/fixtures/admissions.csv'), { target: 'admit', chunkRows: 128 });
 * for await (const { x, y } of admissions()) console.log(x.shape, y.shape); // [128, 3] [128, 1], …, [16, 3] [16, 1]
 * await model.fitDataset(csvDataset(() => fetch('/data/houses.csv').then((r) => r.body!), { target: ['price'], columns: ['area', 'rooms'] }), { epochs: 10 });
 */
export function csvDataset(source: ByteSourceFactory, options: CsvDatasetOptions): () => AsyncIterable<DatasetChunk> {
  if (typeof source !== 'function') {
    throw new TypeError(`csvDataset source must be a function that opens the bytes (e.g. () => fs.createReadStream(path)), got ${source === null ? 'null' : typeof source}`);
  }
  if (typeof options !== 'object' || options === null) throw new TypeError(`csvDataset needs options { target }, got ${options === null ? 'null' : typeof options}`);
  const { chunkRows = 4096, header = true, delimiter = ',' } = options;
  if (typeof header !== 'boolean') throw new TypeError(`csvDataset header must be true or false, got ${describeOption(header)}`);
  if (options.target === undefined) throw new RangeError('csvDataset needs a target column (a header name or a 0-based index)');
  const targetSpec = checkColumns(options.target, 'target', header);
  if (options.columns !== undefined && !Array.isArray(options.columns)) throw new TypeError(`csvDataset columns must be an array, got ${describeOption(options.columns)}`);
  const inputSpec = options.columns === undefined ? undefined : checkColumns(options.columns, 'columns', header);
  checkChunkRows(chunkRows);
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(`csvDataset delimiter must be one character other than a quote or a line break, got ${describeOption(delimiter)}`);
  }
  const plan: CsvPlan = { chunkRows, header, delimiter: delimiter.charCodeAt(0), targetSpec, inputSpec };
  return () => csvChunks(source, plan);
}

/** {@link csvDataset}'s options, validated. */
interface CsvPlan {
  chunkRows: number;
  header: boolean;
  delimiter: number;
  targetSpec: CsvColumn[];
  inputSpec: CsvColumn[] | undefined;
}

/**
 * One pass over the CSV: UTF-8 decoded as the bytes arrive, 64 KiB of text at a time (a leading
 * BOM dropped; gzip is detected and undone by the reader); fields follow RFC 4180 (see
 * {@link CsvRecords}). Each chunk is `x = { data: Float32Array, shape: [rows, inputs] }`,
 * `y = { data: Float32Array, shape: [rows, targets] }`. An empty or non-numeric cell in a column
 * that is read, or a record with the wrong number of fields, rejects with the line number, the
 * column and the value.
 */
async function* csvChunks(source: ByteSourceFactory, plan: CsvPlan): AsyncGenerator<DatasetChunk, void, undefined> {
  const { chunkRows, header, targetSpec, inputSpec } = plan;
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
    const records = new CsvRecords(plan.delimiter, (fields, line) => {
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
}
