// Residual layers in the formats and against PyTorch: ONNX export (an `Add` per residual layer) run
// by onnxruntime-web in Node, safetensors (the flag in the metadata; PyTorch loads the same
// state_dict names into a Sequential whose residual layers compute x + act(Linear(x))), the TF.js
// layers format's refusal, and N training steps from the same weights against PyTorch (float64).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MLP, type ModelConfig } from '../src';
import { fromSafetensors, toOnnx, toSafetensors, toTfjsLayers } from '../src/interop';
import { writeFileSync } from 'node:fs';
import { PYTHON, interopDir, maxDiff, removeTempDirs, requireTorch, runPython, seededRows, tempDir, toRows, trainedModel, writeJson } from './interop/helpers';
import { ort } from './interop/ort-node';

const config: ModelConfig = {
  inputSize: 5, loss: 'categoricalCrossEntropy', seed: 13,
  layers: [
    { units: 5, activation: 'tanh', residual: true },
    { units: 6, activation: 'relu' },
    { units: 6, activation: 'linear', residual: true },
    { units: 6, activation: 'sigmoid', residual: true },
    { units: 3, activation: 'softmax' },
  ],
};
const shape = '5 → 5r tanh → 6 relu → 6r linear → 6r sigmoid → 3 softmax';

afterAll(removeTempDirs);

describe('residual layers in the formats', () => {
  for (const linear of ['gemm', 'matmul-add'] as const) {
    it(`ONNX (${linear}): an Add per residual layer, onnxruntime gives our predictions (${shape})`, async () => {
      const model = await trainedModel(config);
      const bytes = await toOnnx(model, { linear });
      const x = seededRows(21, 19, 5);
      const session = await ort.InferenceSession.create(bytes);
      const out = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [19, 5]) })).output;
      await session.release();
      const diff = maxDiff(await model.predict(x), toRows(out.data as Float32Array, 3));
      console.log(`ONNX (${linear}) with residual Adds -> onnxruntime-web: max |prediction difference| = ${diff.toExponential(2)}`);
      expect(diff, `[19, 5] through ${shape}`).toBeLessThanOrEqual(1e-5);
      // the residual Adds (matmul-add also adds biases with Add: count those apart by name)
      const text = new TextDecoder('latin1').decode(bytes);
      expect(text.match(/layer\d\/Residual/g)).toEqual(['layer0/Residual', 'layer2/Residual', 'layer3/Residual']);
      model.dispose();
    });
  }

  it('safetensors: the flag travels in the metadata; our import and PyTorch predict alike', async () => {
    requireTorch();
    const model = await trainedModel(config);
    const bytes = await toSafetensors(model);
    const back = await fromSafetensors(bytes, { config: { backend: 'cpu' } });
    expect(back.config.layers.map((l) => l.residual ?? false)).toEqual([true, false, true, true, false]);
    const x = seededRows(22, 11, 5);
    const ours = await model.predict(x);
    expect(maxDiff(ours, await back.predict(x)), `[11, 5] round trip through ${shape}`).toBeLessThanOrEqual(1e-6);
    const dir = tempDir();
    writeFileSync(join(dir, 'model.safetensors'), bytes);
    const torch = runPython<{ state: Record<string, number[]>; predictions: number[][] }>('torch_check.py', ['predict', join(dir, 'model.safetensors'), writeJson(dir, 'x.json', x)]);
    expect(Object.keys(torch.state)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias', '6.weight', '6.bias', '8.weight', '8.bias']);
    const diff = maxDiff(ours, torch.predictions);
    console.log(`safetensors with residual layers -> PyTorch: max |prediction difference| = ${diff.toExponential(2)}`);
    expect(diff, `[11, 5] through ${shape}`).toBeLessThanOrEqual(1e-5);
    model.dispose();
    back.dispose();
  });

  it('the TF.js layers format refuses a residual model, naming the layer, and exports the plain one', async () => {
    const model = await MLP.create({ ...config, backend: 'cpu' });
    await expect(toTfjsLayers(model)).rejects.toThrow(/layer 0 is residual .*cannot express; export it with toOnnx or toSafetensors/);
    model.dispose();
  });
});

/** Plain SGD and Adam over in-order mini-batches in PyTorch (float64), one job each from the given weights; prints the weights after. */
const SCRIPT = String.raw`
import json, sys, torch
sys.path.insert(0, sys.argv[1])
import safetensors_io as sio
torch.set_default_dtype(torch.float64)
out = []
for job in json.loads(sys.stdin.read()):
    net = sio.sequential(job['config'])
    with torch.no_grad():
        for l in range(len(job['weights'])):
            net[2 * l].weight.copy_(torch.tensor(job['weights'][l]).T)
            net[2 * l].bias.copy_(torch.tensor(job['biases'][l]))
    x = torch.tensor(job['x']); y = torch.tensor(job['y'])
    opt = torch.optim.Adam(net.parameters(), lr=job['lr']) if job['optimizer'] == 'adam' else torch.optim.SGD(net.parameters(), lr=job['lr'])
    for epoch in range(job['epochs']):
        for s in range(0, x.shape[0], job['batchSize']):
            opt.zero_grad()
            sio.loss_fn(job['config']['loss'], net(x[s:s + job['batchSize']]), y[s:s + job['batchSize']]).backward()
            opt.step()
    layers = range(len(job['weights']))
    out.append({'weights': [net[2 * l].weight.detach().T.tolist() for l in layers], 'biases': [net[2 * l].bias.detach().tolist() for l in layers]})
print(json.dumps(out))
`;

type Params = { weights: number[][][]; biases: number[][] };
const flat = (w: Params) => [...w.weights.flat(2), ...w.biases.flat()];

describe('residual layers against PyTorch (float64)', () => {
  beforeAll(requireTorch);

  it(`sgd and adam: 30 steps from the same weights give PyTorch's weights (${shape})`, async () => {
    const x = seededRows(23, 40, 5);
    const y = x.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
    const runs = [];
    for (const [optimizer, lr] of [['sgd', 0.2], ['adam', 0.01]] as const) {
      const model = await MLP.create({ ...config, backend: 'cpu' });
      const start = await model.getWeights();
      await model.fit(x, y, { epochs: 6, batchSize: 8, learningRate: lr, optimizer, shuffle: false });
      runs.push({ optimizer, start, ours: await model.getWeights(), job: { config, ...start, x, y, lr, epochs: 6, batchSize: 8, optimizer } });
      model.dispose();
    }
    const r = spawnSync(PYTHON, ['-c', SCRIPT, interopDir], { input: JSON.stringify(runs.map((run) => run.job)), encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`python exited ${r.status}: ${r.stderr}`);
    const theirs = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Params[];
    runs.forEach(({ optimizer, start, ours }, k) => {
      const [a, b, s] = [flat(ours), flat(theirs[k]), flat(start)];
      const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
      const moved = Math.max(...a.map((v, i) => Math.abs(v - s[i])));
      console.log(`residual, ${optimizer}: max |Δw| ours vs PyTorch = ${worst.toExponential(2)} after 30 steps (parameters moved up to ${moved.toFixed(3)})`);
      expect(moved, optimizer).toBeGreaterThan(1e-3);
      expect(worst, `${optimizer}: ${a.length} parameters of ${shape}`).toBeLessThan(1e-10);
    });
  });
});
