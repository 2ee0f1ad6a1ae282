// safetensors: our export loaded by PyTorch (Debian's /usr/bin/python3 with torch) into
// nn.Sequential with the same predictions, PyTorch's files imported here with the same
// predictions, and malformed or hostile files refused before anything is allocated.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { type Activation, MLP } from '../src';
import { MAX_HEADER_BYTES, datasetToSafetensors, fromSafetensors, toSafetensors } from '../src/interop';
import { architectures, maxDiff, runPython, seededRows, removeTempDirs, tempDir, requireTorch, trainedModel, writeJson } from './interop/helpers';

const TOL = 1e-5;

/** The header of a safetensors file as an object, and a function to write a changed copy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests reach into and break arbitrary header JSON
type Header = Record<string, any>;
function header(bytes: Uint8Array): Header {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}
function withHeader(bytes: Uint8Array, change: (h: Header) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const h = header(bytes);
  change(h);
  const text = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(8 + text.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(bytes.subarray(8 + n), 8 + text.length);
  return out;
}

afterAll(removeTempDirs);

describe('safetensors with PyTorch', () => {
  for (const { name, config } of architectures) {
    it(`PyTorch loads our export into nn.Sequential with the same predictions: ${name}`, async () => {
      requireTorch();
      const model = await trainedModel(config);
      const dir = tempDir();
      writeFileSync(join(dir, 'model.safetensors'), await toSafetensors(model));
      const x = seededRows(99, 20, config.inputSize);
      const torch = runPython<{ state: Record<string, number[]>; modules: string[]; predictions: number[][] }>('torch_check.py', ['predict', join(dir, 'model.safetensors'), writeJson(dir, 'x.json', x)]);
      const expectedState: Record<string, number[]> = {};
      config.layers.forEach((layer, l) => {
        expectedState[`${2 * l}.weight`] = [layer.units, l === 0 ? config.inputSize : config.layers[l - 1].units];
        if (config.useBias !== false) expectedState[`${2 * l}.bias`] = [layer.units];
      });
      expect(torch.state).toEqual(expectedState);
      const names: Record<Activation, string> = {
        sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'ReLU', linear: 'Identity', softmax: 'Softmax', leakyRelu: 'LeakyReLU', elu: 'ELU', selu: 'SELU',
        gelu: 'GELU', geluTanh: 'GELU', silu: 'SiLU', softplus: 'Softplus', mish: 'Mish',
      };
      expect(torch.modules).toEqual(config.layers.flatMap((l) => ['Linear', names[l.activation]]));
      const diff = maxDiff(await model.predict(x), torch.predictions);
      console.log(`safetensors export -> PyTorch (${name}): max |prediction difference| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(TOL);
      const back = await fromSafetensors(readFileSync(join(dir, 'model.safetensors')));
      const roundTrip = maxDiff(await model.predict(x), await back.predict(x));
      console.log(`safetensors round trip here (${name}): max |prediction difference| = ${roundTrip.toExponential(2)}`);
      expect(roundTrip).toBeLessThanOrEqual(TOL);
      expect(back.config).toMatchObject({ ...config, backend: 'auto' });
    });
  }

  for (const dtype of ['F32', 'F64']) {
    it(`imports a model PyTorch saved (${dtype}, no metadata, Dropout between layers) with the same predictions`, async () => {
      requireTorch();
      const dir = tempDir();
      const x = seededRows(7, 20, 5);
      const torch = runPython<{ names: string[]; predictions: number[][] }>('torch_check.py', ['export', join(dir, 'torch.safetensors'), writeJson(dir, 'x.json', x), dtype]);
      expect(torch.names).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '5.weight', '5.bias']);
      const bytes = readFileSync(join(dir, 'torch.safetensors'));
      await expect(fromSafetensors(bytes)).rejects.toThrow(/does not say which activation layer 0 \('0\.weight'\) uses; pass options\.config\.layers/);
      const model = await fromSafetensors(bytes, {
        config: { layers: [{ units: 7, activation: 'relu' }, { units: 6, activation: 'tanh' }, { units: 3, activation: 'softmax' }], backend: 'cpu' },
      });
      expect(model.config.loss).toBe('categoricalCrossEntropy');
      const diff = maxDiff(await model.predict(x), torch.predictions);
      console.log(`safetensors PyTorch (${dtype}) -> here: max |prediction difference| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(TOL);
    });
  }
});

describe('safetensors files refused before anything is allocated', () => {
  afterEach(() => vi.restoreAllMocks());
  const config = architectures[0].config;
  const cases: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
    ['a header claiming 2^60 bytes', (b) => { const c = b.slice(); new DataView(c.buffer).setBigUint64(0, 2n ** 60n, true); return c; }, /header length is 1152921504606846976 bytes, more than the 100000000 accepted/],
    ['a header longer than the file', (b) => { const c = b.slice(); new DataView(c.buffer).setBigUint64(0, BigInt(c.length), true); return c; }, /header length is \d+ bytes but only \d+ bytes follow it/],
    ['a file shorter than the length field', (b) => b.slice(0, 5), /is 5 bytes; it must start with an 8-byte header length/],
    ['a truncated file', (b) => b.slice(0, b.length - 10), /ends at byte \d+ of the data but the file holds only \d+ data bytes \(truncated\)/],
    ['trailing bytes', (b) => { const c = new Uint8Array(b.length + 4); c.set(b); return c; }, /4 bytes after the last tensor/],
    ['a header that is not JSON', (b) => { const c = b.slice(); c[9] = 0x7d; c[10] = 0x7d; return c; }, /header is not valid JSON/],
    ['a NaN weight', (b) => { const c = b.slice(); const n = Number(new DataView(c.buffer).getBigUint64(0, true)); const h = header(c); new DataView(c.buffer).setFloat32(8 + n + h['2.weight'].data_offsets[0] + 4 * 7, NaN, true); return c; }, /tensor '2\.weight' holds NaN at \[0, 7\]; weights must be finite/],
    ['an infinite bias', (b) => { const c = b.slice(); const n = Number(new DataView(c.buffer).getBigUint64(0, true)); const h = header(c); new DataView(c.buffer).setFloat32(8 + n + h['0.bias'].data_offsets[0], -Infinity, true); return c; }, /tensor '0\.bias' holds -Infinity at \[0\]/],
    ['an integer dtype', (b) => withHeader(b, (h) => { h['0.bias'].dtype = 'I32'; }), /tensor '0\.bias' has dtype "I32"; this importer reads 'F32' and 'F64'/],
    ['a shape disagreeing with its byte range', (b) => withHeader(b, (h) => { h['0.weight'].shape = [8, 4]; }), /tensor '0\.weight' \(F32 \[8,4\]\) needs 128 bytes but its data_offsets \[\d+, \d+\] span 96/],
    ['overlapping tensors', (b) => withHeader(b, (h) => { h['0.bias'].data_offsets = h['0.weight'].data_offsets.map((o: number) => o); h['0.bias'].shape = [24]; }), /starts at byte \d+ of the data, expected \d+/],
    ['a hostile shape', (b) => withHeader(b, (h) => { h['0.weight'].shape = [2 ** 40, 2 ** 40]; }), /holds more than the 134217728 values an import accepts/],
    ['a foreign tensor name', (b) => withHeader(b, (h) => { h['encoder.weight'] = h['0.weight']; delete h['0.weight']; }), /tensor 'encoder\.weight' is not a Linear parameter of an nn\.Sequential/],
    ['a config disagreeing with the shapes', (b) => withHeader(b, (h) => { const c = JSON.parse(h.__metadata__['webgpu-mlp']); c.layers[1].units = 5; h.__metadata__['webgpu-mlp'] = JSON.stringify(c); }), /config\.layers\[1\]\.units is 5 but safetensors tensor '2\.weight' \[6,8\] has 6 units/],
    ['a config with another input size', (b) => withHeader(b, (h) => { const c = JSON.parse(h.__metadata__['webgpu-mlp']); c.inputSize = 4; h.__metadata__['webgpu-mlp'] = JSON.stringify(c); }), /config\.inputSize is 4 but safetensors tensor '0\.weight' \[8,3\] takes 3 inputs/],
    ['layers that do not chain', (b) => withHeader(b, (h) => { h['2.weight'].shape = [12, 4]; }), /tensor '2\.weight' \[12,4\] takes 4 inputs but '0\.weight' \[8,3\] gives 8 outputs/],
    ['a config that is not JSON', (b) => withHeader(b, (h) => { h.__metadata__['webgpu-mlp'] = '{layers'; }), /__metadata__\['webgpu-mlp'\] is not valid JSON/],
  ];
  for (const [name, damage, message] of cases) {
    it(`refuses ${name}`, async () => {
      const good = await toSafetensors(await MLP.create({ ...config, backend: 'cpu' }));
      const create = vi.spyOn(MLP, 'create');
      await expect(fromSafetensors(damage(good))).rejects.toThrow(message);
      expect(create).not.toHaveBeenCalled();
    });
  }

  it('refuses options that disagree with the file, and non-bytes', async () => {
    const good = await toSafetensors(await MLP.create({ ...config, backend: 'cpu' }));
    const create = vi.spyOn(MLP, 'create');
    await expect(fromSafetensors(good, { config: { layers: [{ units: 8, activation: 'tanh' }] } })).rejects.toThrow(/options\.config\.layers must list the 4 dense layers the safetensors file holds, got 1/);
    await expect(fromSafetensors(good, { config: { layers: config.layers.map((l, i) => (i === 2 ? { ...l, activation: 'relu6' as never } : l)) } })).rejects.toThrow(/options\.config layer 2 activation must be one of/);
    await expect(fromSafetensors('model.safetensors' as never)).rejects.toThrow(/bytes must be a Uint8Array or ArrayBuffer, got "model\.safetensors"/);
    expect(create).not.toHaveBeenCalled();
    expect(MAX_HEADER_BYTES).toBe(100_000_000);
  });
});

describe('training sets as safetensors', () => {
  const tensor = (bytes: Uint8Array, name: string) => {
    const h = header(bytes);
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const [begin, end] = h[name].data_offsets;
    return { shape: h[name].shape, dtype: h[name].dtype, values: Array.from(new Float32Array(bytes.slice(8 + n + begin, 8 + n + end).buffer)) };
  };

  it('writes inputs and one-hot targets as float32, with the model config', async () => {
    const model = await MLP.create({ ...architectures[0].config, backend: 'cpu' });
    const bytes = await datasetToSafetensors(model, { data: Float64Array.from([0.5, 1, -1, 2, 0, 0.25]), shape: [2, 3] }, [2, 0]);
    expect(tensor(bytes, 'inputs')).toEqual({ shape: [2, 3], dtype: 'F32', values: [0.5, 1, -1, 2, 0, 0.25] });
    expect(tensor(bytes, 'targets')).toEqual({ shape: [2, 3], dtype: 'F32', values: [0, 0, 1, 1, 0, 0] });
    expect(JSON.parse(header(bytes).__metadata__['webgpu-mlp'])).toMatchObject({ inputSize: 3, loss: 'categoricalCrossEntropy' });
    const regression = await MLP.create({ ...architectures[2].config, backend: 'cpu' });
    expect(tensor(await datasetToSafetensors(regression, [[1, 2], [3, 4]], [0.5, 1]), 'targets')).toEqual({ shape: [2, 1], dtype: 'F32', values: [0.5, 1] });
  });

  it('refuses data that does not fit the model', async () => {
    const model = await MLP.create({ ...architectures[0].config, backend: 'cpu' });
    await expect(datasetToSafetensors(model, [[1, 2]], [0])).rejects.toThrow(/x\[0\] must be an array of 3 numbers, got \[1,2\]/);
    await expect(datasetToSafetensors(model, [[1, 2, NaN]], [0])).rejects.toThrow(/x\[0\]\[2\] must be a finite number, got NaN/);
    await expect(datasetToSafetensors(model, [[1, 2, 3]], [3])).rejects.toThrow(/y\[0\] must be a class index in \[0, 2\], got 3/);
    await expect(datasetToSafetensors(model, [[1, 2, 3]], [0, 1])).rejects.toThrow(/y must have one entry per row of x \(1\), got 2/);
    await expect(datasetToSafetensors(model, [[1, 2, 3]], [[1, 0, 0], [0, 1, 0]])).rejects.toThrow(/y must have 1 rows \(one per row of x\), got 2/);
    await expect(datasetToSafetensors(model, { data: [1, 2], shape: [1, 3] }, [0])).rejects.toThrow(/x\.data must hold 3 numbers, got 2/);
  });
});
