// The demo's CSV reader: parsing, bad-row reporting by line, standardization and one-hot encoding.
import { describe, expect, it } from 'vitest';
import { describeColumns, encodeCsv, parseCsv, parseNumber } from '../demo/csv';

describe('parseCsv', () => {
  it('handles quotes, escaped quotes, delimiters and newlines inside quotes, CRLF and a BOM', () => {
    const t = parseCsv('\ufeffname,note,n\r\n"Smith, J","said ""hi""",1\r\nLee,"two\nlines",2\r\n\r\nKim,plain,3');
    expect(t.header).toEqual(['name', 'note', 'n']);
    expect(t.rows).toEqual([
      ['Smith, J', 'said "hi"', '1'],
      ['Lee', 'two\nlines', '2'],
      ['Kim', 'plain', '3'],
    ]);
    // the blank line 5 is skipped; Kim starts on line 6 because Lee's record spans lines 3-4
    expect(t.lines).toEqual([2, 3, 6]);
    expect(t.badRows).toEqual([]);
    expect(t.delimiter).toBe(',');
  });

  it('detects ; and tab delimiters', () => {
    expect(parseCsv('a;b;c\n1,5;2;3\n').rows).toEqual([['1,5', '2', '3']]);
    expect(parseCsv('a\tb\n1\t2\n').delimiter).toBe('\t');
  });

  it('reports records with the wrong field count by line and keeps the rest', () => {
    const t = parseCsv('a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n');
    expect(t.rows).toEqual([['1', '2', '3'], ['10', '11', '12']]);
    expect(t.badRows).toEqual([
      { line: 3, reason: 'expected 3 fields, got 2' },
      { line: 4, reason: 'expected 3 fields, got 4' },
    ]);
  });

  it('reports an unterminated quote instead of failing', () => {
    const t = parseCsv('a,b\n1,2\n3,"oops\n5,6\n');
    expect(t.rows).toEqual([['1', '2']]);
    expect(t.badRows).toHaveLength(1);
    expect(t.badRows[0].line).toBe(3);
    expect(t.badRows[0].reason).toMatch(/unterminated quoted field/);
  });

  it('names empty and duplicate header columns; an empty file is an error that says so', () => {
    const t = parseCsv('x,,x\n1,2,3\n');
    expect(t.header).toEqual(['x', 'column 2', 'x (2)']);
    expect(t.warnings).toHaveLength(2);
    expect(() => parseCsv('')).toThrow(/the file is empty/);
    expect(() => parseCsv('\n\n')).toThrow(/the file is empty/);
  });
});

describe('describeColumns and parseNumber', () => {
  it('parses plain decimals only', () => {
    expect(parseNumber(' -1.5e3 ')).toBe(-1500);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('0x10')).toBeNull();
    expect(parseNumber('1,5')).toBeNull();
    expect(parseNumber('Infinity')).toBeNull();
    expect(parseNumber('')).toBeNull();
  });

  it('calls a column numeric when at least 90% of its present values are numbers', () => {
    const lines = ['a,b,c'];
    for (let i = 0; i < 20; i++) lines.push(`${i},${i === 3 ? 'oops' : i * 0.5},${i % 2 ? 'red' : 'blue'}`);
    lines.push('NA,1,red');
    const cols = describeColumns(parseCsv(lines.join('\n')));
    expect(cols.map((c) => c.kind)).toEqual(['numeric', 'numeric', 'categorical']);
    expect(cols[0]).toMatchObject({ missing: 1, distinct: 20, integer: true });
    expect(cols[1].integer).toBe(false);
    expect(cols[2].distinct).toBe(2);
  });
});

describe('encodeCsv', () => {
  const csv = [
    'height,colour,weight,label', //  line 1
    '1,red,10,cat', //                 line 2
    '2,blue,20,dog', //                line 3
    '3,red,,cat', //                   line 4: missing weight
    '4,green,40,bird', //              line 5
    'tall,red,50,dog', //              line 6: text in a numeric column
    '5,blue,60', //                    line 7: short row
    '6,red,70,NA', //                  line 8: missing target
    '7,green,80,cat', //               line 9
    '8,blue,90,dog', //                line 10
    '9,red,100,bird', //               line 11
    '10,blue,110,cat', //              line 12
    '11,red,120,dog', //               line 13
  ].join('\n');

  it('skips bad rows, reporting each by line, and encodes the rest', () => {
    const d = encodeCsv(parseCsv(csv), { target: 'label' });
    expect(d.badRows).toEqual([
      { line: 4, reason: "column 'weight' is empty or missing ('')" },
      { line: 6, reason: "column 'height' expects a number, got 'tall'" },
      { line: 7, reason: 'expected 4 fields, got 3' },
      { line: 8, reason: "column 'label' is empty or missing ('NA')" },
    ]);
    expect(d.lines).toEqual([2, 3, 5, 9, 10, 11, 12, 13]);
    expect(d.rows).toBe(8);
    expect(d.task).toBe('classification');
    expect(d.classes).toEqual(['bird', 'cat', 'dog']);
    expect(d.y).toEqual([1, 2, 0, 1, 2, 0, 1, 2]);
    expect(d.featureNames).toEqual(['height', 'colour=blue', 'colour=green', 'colour=red', 'weight']);
    expect(d.cols).toBe(5);
  });

  it('standardizes numeric columns over the usable rows and one-hot encodes text', () => {
    const d = encodeCsv(parseCsv(csv), { target: 'label' });
    const heights = [1, 2, 4, 7, 8, 9, 10, 11];
    const mean = heights.reduce((a, b) => a + b, 0) / heights.length;
    const std = Math.sqrt(heights.reduce((a, b) => a + (b - mean) ** 2, 0) / heights.length);
    for (let r = 0; r < d.rows; r++) expect(d.x[r * d.cols]).toBeCloseTo((heights[r] - mean) / std, 12);
    const col = (j: number) => Array.from({ length: d.rows }, (_, r) => d.x[r * d.cols + j]);
    const h = col(0);
    expect(h.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(h.reduce((a, b) => a + b * b, 0) / d.rows).toBeCloseTo(1, 12);
    // row 0 is red, row 1 blue, row 2 green
    expect([1, 2, 3].map((j) => d.x[j])).toEqual([0, 0, 1]);
    expect([1, 2, 3].map((j) => d.x[d.cols + j])).toEqual([1, 0, 0]);
    expect([1, 2, 3].map((j) => d.x[2 * d.cols + j])).toEqual([0, 1, 0]);
    expect(d.transforms[0]).toEqual({ column: 'height', kind: 'numeric', mean, std });
  });

  it('makes a numeric target a standardized regression target, and small integer targets classes', () => {
    const reg = encodeCsv(parseCsv('a,b,y\n1,x,2.5\n2,y,3.5\n3,x,6\n'), { target: 'y' });
    expect(reg.task).toBe('regression');
    expect(reg.classes).toBeNull();
    const { mean, std } = reg.targetScale!;
    expect(mean).toBeCloseTo(4, 12);
    expect(reg.y.map((v) => v * std + mean)).toEqual([2.5, 3.5, 6].map((v) => expect.closeTo(v, 12)));
    const cls = encodeCsv(parseCsv('a,y\n1,0\n2,1.0\n3,2\n4,1\n'), { target: 1 });
    expect(cls.task).toBe('classification');
    expect(cls.classes).toEqual(['0', '1', '2']);
    expect(cls.y).toEqual([0, 1, 2, 1]);
    expect(encodeCsv(parseCsv('a,y\n1,0\n2,1\n3,0\n'), { target: 'y', task: 'regression' }).task).toBe('regression');
  });

  it('leaves out excluded, constant and high-cardinality columns with a warning', () => {
    const lines = ['id,name,k,v,y'];
    for (let i = 0; i < 60; i++) lines.push(`${i},person${i},7,${i % 5},${i % 2 ? 'a' : 'b'}`);
    const d = encodeCsv(parseCsv(lines.join('\n')), { target: 'y', exclude: ['id', 'nope'] });
    expect(d.featureNames).toEqual(['v']);
    expect(d.warnings.join('\n')).toMatch(/'nope' is not in the file/);
    expect(d.warnings.join('\n')).toMatch(/'name' has 60 distinct text values/);
    expect(d.warnings.join('\n')).toMatch(/'k' has the same value in every usable row/);
  });

  it('throws naming the problem when the target is unknown or nothing is usable', () => {
    const t = parseCsv('a,b\n1,x\n2,y\n');
    expect(() => encodeCsv(t, { target: 'c' })).toThrow(/target column "c" is not in the file; its columns are 'a', 'b'/);
    expect(() => encodeCsv(t, { target: 'b', task: 'regression' })).toThrow(/target column 'b' holds text/);
    expect(() => encodeCsv(parseCsv('a,b\n1,\n2,NA\n'), { target: 'a' })).toThrow(/no usable rows: all 2 data rows have a problem \(first: line 2/);
    expect(() => encodeCsv(parseCsv('a,b\n1,x\n2,x\n'), { target: 'b' })).toThrow(/'b' has a single value/);
    expect(() => encodeCsv(parseCsv('a,b\n1,x\n1,y\n'), { target: 'b' })).toThrow(/no input columns are left/);
  });
});
