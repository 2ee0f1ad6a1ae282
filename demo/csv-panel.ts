import { AUTO_CLASS_LIMIT, type ColumnInfo, type CsvTable, type EncodedCsv, describeColumns, encodeCsv, parseCsv } from './csv';
import { guessTarget, looksLikeTarget, notTextReason, tableProblem } from './csv-checks';
import { el } from './dom';

/** Bad rows listed by line before the list is summarized. */
const BAD_ROWS_SHOWN = 20;

/** How a column reads in the target list: its kind, its values, and what it would be as the target. */
function describe(c: ColumnInfo): string {
  if (c.kind === 'categorical') return `${c.name} (text, ${c.distinct} values: classes)`;
  if (c.integer && c.distinct <= AUTO_CLASS_LIMIT) return `${c.name} (integer, ${c.distinct} values: classes)`;
  return `${c.name} (numeric, ${c.distinct} values: regression)`;
}

/**
 * The CSV controls: a file picker, the target column (guessed from the names, changeable), the
 * task, standardization, the columns to use, and a report of the rows that were skipped (by line)
 * and why. A file that cannot be trained on (not a CSV, no numeric columns, ragged rows, a single
 * row) is refused with the reason. Calls `onData` with each new encoding, `onError` otherwise.
 */
export class CsvPanel {
  private table: CsvTable | null = null;
  private fileName = '';
  private readonly file = el('input', { type: 'file', id: 'csv-file', accept: '.csv,.tsv,.txt,text/csv' });
  private readonly target = el('select', { id: 'csv-target' });
  private readonly task = el(
    'select',
    { id: 'csv-task' },
    el('option', { value: 'auto' }, 'auto'),
    el('option', { value: 'classification' }, 'classification'),
    el('option', { value: 'regression' }, 'regression'),
  );
  private readonly standardize = el('input', { type: 'checkbox', id: 'csv-standardize', checked: '' });
  private readonly columns = el('div', { class: 'csv-columns', id: 'csv-columns' });
  private readonly report = el('div', { class: 'csv-report', id: 'csv-report' });

  constructor(
    root: HTMLElement,
    private readonly onData: (data: EncodedCsv, file: string) => void,
    private readonly onError: (message: string) => void,
  ) {
    root.append(
      el('label', { class: 'field' }, el('span', {}, 'CSV file (first line: column names)'), this.file),
      el('div', { class: 'grid2' }, el('label', { class: 'field' }, el('span', {}, 'target column'), this.target), el('label', { class: 'field' }, el('span', {}, 'task'), this.task)),
      el('label', { class: 'field checkbox' }, this.standardize, el('span', {}, 'standardize numeric inputs (mean 0, sd 1)')),
      el('div', { class: 'field' }, el('span', {}, 'input columns'), this.columns),
      this.report,
    );
    this.file.addEventListener('change', () => void this.readFile());
    this.target.addEventListener('change', () => {
      this.renderColumns();
      this.encode();
    });
    for (const c of [this.task, this.standardize, this.columns]) c.addEventListener('change', () => this.encode());
  }

  /** Reads picked bytes as if they were a file named `name`: refuses what is not text. */
  loadBytes(bytes: Uint8Array, name: string): void {
    const notText = notTextReason(bytes, name);
    if (notText) return this.fail(notText);
    this.load(new TextDecoder('utf-8').decode(bytes), name);
  }

  /** Parses `text` as if it were a picked file named `name`. */
  load(text: string, name: string): void {
    this.fileName = name;
    try {
      this.table = parseCsv(text);
    } catch (e) {
      return this.fail(`${name}: ${(e as Error).message}`);
    }
    const problem = tableProblem(this.table, name);
    if (problem) return this.fail(problem, this.table.badRows);
    const cols = describeColumns(this.table);
    this.target.replaceChildren(...cols.map((c) => el('option', { value: c.name }, describe(c))));
    // default target: a column named like one (label, target, class, y, …), else the last
    this.target.value = cols[guessTarget(this.table.header)].name;
    this.task.value = 'auto';
    this.renderColumns();
    this.encode();
  }

  private fail(message: string, badRows: { line: number; reason: string }[] = []): void {
    this.table = null;
    this.target.replaceChildren();
    this.columns.replaceChildren();
    this.report.replaceChildren(el('p', { class: 'error', id: 'csv-error' }, message), ...this.badRowList(badRows));
    this.onError(message);
  }

  private async readFile(): Promise<void> {
    const f = this.file.files?.[0];
    if (!f) return;
    this.loadBytes(new Uint8Array(await f.arrayBuffer()), f.name);
  }

  private renderColumns(): void {
    if (!this.table) return;
    const cols = describeColumns(this.table);
    this.columns.replaceChildren(
      ...cols
        .filter((c) => c.name !== this.target.value)
        .map((c) => el('label', { class: 'chip' }, el('input', { type: 'checkbox', value: c.name, checked: '' }), ` ${c.name} `, el('small', {}, c.kind === 'numeric' ? 'num' : `${c.distinct} cat.`))),
    );
  }

  private encode(): void {
    const t = this.table;
    if (!t) return;
    const exclude = [...this.columns.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((c) => !c.checked).map((c) => c.value);
    let data: EncodedCsv;
    try {
      data = encodeCsv(t, { target: this.target.value, task: this.task.value as 'auto', exclude, standardize: this.standardize.checked });
      if (data.rows < 2) throw new Error(`${this.fileName} has only one usable row (line ${data.lines[0]}); training needs at least two`);
    } catch (e) {
      this.report.replaceChildren(el('p', { class: 'error', id: 'csv-error' }, (e as Error).message), ...this.badRowList(t.badRows));
      this.onError((e as Error).message);
      return;
    }
    const numeric = data.transforms.filter((x) => x.kind === 'numeric').length;
    const summary =
      `${this.fileName}: ${data.rows} usable rows of ${t.rows.length + t.badRows.length}, ${data.cols} inputs ` +
      `(${numeric} ${this.standardize.checked ? 'standardized numeric' : 'numeric as written'}, ${data.transforms.filter((x) => x.kind === 'categorical').length} one-hot), ` +
      (data.task === 'classification' ? `${data.classes!.length} classes: ${data.classes!.slice(0, 8).join(', ')}${data.classes!.length > 8 ? '…' : ''}` : 'regression on the standardized target') +
      `; target column '${this.target.value}'`;
    (this.task.options[0] as HTMLOptionElement).textContent = `auto (${data.task})`;
    const suspicious = data.transforms.filter((x) => looksLikeTarget(x.column)).map((x) => `column '${x.column}' looks like a target but is used as an input; pick it as the target if it is one`);
    this.report.replaceChildren(
      el('p', { id: 'csv-summary' }, summary),
      ...[...suspicious, ...data.warnings].map((w) => el('p', { class: 'warn' }, w)),
      ...this.badRowList(data.badRows),
    );
    this.onData(data, this.fileName);
  }

  private badRowList(bad: { line: number; reason: string }[]): HTMLElement[] {
    if (bad.length === 0) return [];
    const items = bad.slice(0, BAD_ROWS_SHOWN).map((b) => el('li', {}, `line ${b.line}: ${b.reason}`));
    if (bad.length > BAD_ROWS_SHOWN) items.push(el('li', {}, `… and ${bad.length - BAD_ROWS_SHOWN} more`));
    return [el('p', { class: 'warn' }, `${bad.length} row${bad.length === 1 ? '' : 's'} skipped:`), el('ul', { class: 'bad-rows', id: 'csv-bad-rows' }, ...items)];
  }
}
