// Which CSV columns are inputs and which are targets: the options as given, then resolved
// against the header (or the first record's width).

/**
 * A column: its header name, or its 0-based index.
 *
 * @example
 * const target: CsvColumn = 'price'; // or 3
 */
export type CsvColumn = string | number;

/**
 * Where the inputs and targets sit in each record, resolved against the header (or the first
 * record's width).
 *
 * @example
 * resolveLayout(['a', 'b', 'y'], 3, ['y'], undefined).inputs; // [0, 1]
 */
export interface Layout {
  width: number;
  inputs: number[];
  targets: number[];
  /** How errors name column `i`. */
  name: (i: number) => string;
  /** The header, for messages. */
  header: string[] | null;
}

/**
 * An option's value as messages show it: strings quoted, arrays listed, objects by their type.
 *
 * @example
 * describeOption(['a', 2]); // "['a', 2]"
 */
export function describeOption(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(describeOption).join(', ')}]`;
  return typeof value === 'object' ? typeof value : String(value);
}

/**
 * Checks a column list as given (before the header is known): names need a header.
 *
 * @example
 * checkColumns('price', 'target', true); // ['price']
 */
export function checkColumns(value: unknown, what: 'target' | 'columns', header: boolean): CsvColumn[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new RangeError(`csvDataset ${what} must name at least one column, got []`);
  for (const c of list) {
    if (typeof c === 'string') {
      if (!header) throw new RangeError(`csvDataset ${what} column '${c}' is a name but header is false: give 0-based column indices`);
    } else if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) {
      throw new RangeError(`csvDataset ${what} columns must be header names or 0-based indices, got ${describeOption(c)}`);
    }
  }
  return list as CsvColumn[];
}

/**
 * Resolves the target and input columns against the header (null without one) and the record
 * width: every named column exists once, no column is both, and some column is an input.
 *
 * @example
 * resolveLayout(null, 3, [0], undefined); // { width: 3, inputs: [1, 2], targets: [0], … }
 */
export function resolveLayout(header: string[] | null, width: number, targetSpec: CsvColumn[], inputSpec: CsvColumn[] | undefined): Layout {
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
