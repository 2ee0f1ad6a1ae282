import { type CsvTable, type EncodedCsv, describeColumns, encodeCsv, parseCsv } from './csv';
import { el } from './dom';

/** Bad rows listed by line before the list is summarized. */
const BAD_ROWS_SHOWN = 20;

/**
 * The CSV controls: a file picker, the target column, the task, the columns to use, and a report
 * of the rows that were skipped (by line) and why. Calls `onData` with each new encoding.
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
      el('div', { class: 'field' }, el('span', {}, 'input columns'), this.columns),
      this.report,
    );
    this.file.addEventListener('change', () => void this.readFile());
    this.target.addEventListener('change', () => {
      this.renderColumns();
      this.encode();
    });
    this.task.addEventListener('change', () => this.encode());
    this.columns.addEventListener('change', () => this.encode());
  }

  /** Parses `text` as if it were a picked file named `name`. */
  load(text: string, name: string): void {
    this.fileName = name;
    try {
      this.table = parseCsv(text);
    } catch (e) {
      this.table = null;
      this.report.replaceChildren(el('p', { class: 'error' }, `${name}: ${(e as Error).message}`));
      this.onError(`${name}: ${(e as Error).message}`);
      return;
    }
    const cols = describeColumns(this.table);
    this.target.replaceChildren(...cols.map((c) => el('option', { value: c.name }, `${c.name} (${c.kind}, ${c.distinct} values)`)));
    // default target: the last column, as most data sets are laid out
    this.target.value = cols[cols.length - 1].name;
    this.renderColumns();
    this.encode();
  }

  private async readFile(): Promise<void> {
    const f = this.file.files?.[0];
    if (!f) return;
    this.load(await f.text(), f.name);
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
      data = encodeCsv(t, { target: this.target.value, task: this.task.value as 'auto', exclude });
    } catch (e) {
      this.report.replaceChildren(el('p', { class: 'error' }, (e as Error).message), ...this.badRowList(t.badRows));
      this.onError((e as Error).message);
      return;
    }
    const summary =
      `${this.fileName}: ${data.rows} usable rows of ${t.rows.length + t.badRows.length}, ${data.cols} inputs ` +
      `(${data.transforms.filter((x) => x.kind === 'numeric').length} standardized numeric, ${data.transforms.filter((x) => x.kind === 'categorical').length} one-hot), ` +
      (data.task === 'classification' ? `${data.classes!.length} classes: ${data.classes!.slice(0, 8).join(', ')}${data.classes!.length > 8 ? '…' : ''}` : 'regression on the standardized target');
    this.report.replaceChildren(
      el('p', { id: 'csv-summary' }, summary),
      ...data.warnings.map((w) => el('p', { class: 'warn' }, w)),
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
