// Splitting CSV text into records: RFC 4180 fields, fed a piece of decoded text at a time.

const LF = 10;
const CR = 13;
const QUOTE = 34;

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
 * with each complete record's fields and the line it starts on (blank lines skipped).
 *
 * @example
 * const records = new CsvRecords(','.charCodeAt(0), (fields, line) => console.log(line, fields));
 * records.push('a,"b\n'); records.push('c"\r\n1,2'); records.end(); // 1 ['a', 'b\nc'], then 3 ['1', '2'] (line 3: the quoted field spans two lines)
 */
export class CsvRecords {
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

  /**
   * Splits the next piece of text: quoted fields may hold delimiters, doubled quotes and line
   * breaks; CRLF, CR or LF line ends may be split across pieces.
   */
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

