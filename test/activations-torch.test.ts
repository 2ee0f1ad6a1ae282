// The newer activations against PyTorch (Debian's python3-torch, float64, CPU): from the same
// weights and batches, N SGD steps of ours (the CPU path, float64) and of an nn.Sequential with
// nn.LeakyReLU / ELU / SELU / GELU(approximate='none' | 'tanh') / SiLU / Softplus / Mish give the
// same weights. One Python process runs every network.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Activation, MLP, type ModelConfig, Rng, type Weights } from '../src';
import { PYTHON, requireTorch } from './interop/helpers';

const SCRIPT = String.raw`
import json, sys, torch
torch.set_default_dtype(torch.float64)
nn = torch.nn
make = {
    'leakyRelu': lambda a: nn.LeakyReLU(a if a is not None else 0.01), 'elu': lambda a: nn.ELU(a if a is not None else 1.0),
    'selu': lambda a: nn.SELU(), 'gelu': lambda a: nn.GELU(approximate='none'), 'geluTanh': lambda a: nn.GELU(approximate='tanh'),
    'silu': lambda a: nn.SiLU(), 'softplus': lambda a: nn.Softplus(), 'mish': lambda a: nn.Mish(), 'linear': lambda a: nn.Identity(),
}
out = []
for job in json.loads(sys.stdin.read()):
    x = torch.tensor(job['x']); y = torch.tensor(job['y'])
    layers = []
    for i, l in enumerate(job['layers']):
        lin = nn.Linear(len(job['weights'][i]), l['units'])
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(job['weights'][i]).T)
            lin.bias.copy_(torch.tensor(job['biases'][i]))
        layers += [lin, make[l['activation']](l.get('alpha'))]
    net = nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=job['lr'])
    n, bs = x.shape[0], job['batchSize']
    for epoch in range(job['epochs']):
        for s in range(0, n, bs):
            opt.zero_grad()
            ((net(x[s:s + bs]) - y[s:s + bs]) ** 2).mean(dim=1).mean().backward()
            opt.step()
    out.append({'weights': [l.weight.detach().T.tolist() for l in layers[::2]], 'biases': [l.bias.detach().tolist() for l in layers[::2]]})
print(json.dumps(out))
`;

const SPECS: { activation: Activation; alpha?: number }[] = [
  { activation: 'leakyRelu' }, { activation: 'leakyRelu', alpha: -0.2 }, { activation: 'elu' }, { activation: 'elu', alpha: 0.6 }, { activation: 'selu' },
  { activation: 'gelu' }, { activation: 'geluTanh' }, { activation: 'silu' }, { activation: 'softplus' }, { activation: 'mish' },
];
const EPOCHS = 3;
const ROWS = 37;
const BATCH = 8; // 5 batches an epoch, the last of 5 rows: 15 steps

function data() {
  const rng = new Rng(17, 'activations vs torch');
  const x = Array.from({ length: ROWS }, () => Array.from({ length: 4 }, () => rng.uniform(-2, 2)));
  const y = x.map((r) => [Math.sin(r[0]) + 0.5 * r[1] * r[2], Math.cos(r[3]) * 0.8 - 0.3]);
  return { x, y };
}

const flat = (w: Weights) => [...w.weights.flat(2), ...w.biases.flat()];

describe('the newer activations against PyTorch (float64): weights after 15 SGD steps from the same start', () => {
  beforeAll(requireTorch);

  it('every activation: 4-7-5-2 (the activation on every layer), mse, sgd, batches of 8 of 37', async () => {
    const { x, y } = data();
    const runs = await Promise.all(SPECS.map(async (spec) => {
      const config: ModelConfig = { inputSize: 4, layers: [{ units: 7, ...spec }, { units: 5, ...spec }, { units: 2, ...spec }], loss: 'mse', seed: 5, backend: 'cpu' };
      const model = await MLP.create(config);
      const start = await model.getWeights();
      // non-zero biases, so that their gradients count
      const rng = new Rng(3, spec.activation);
      start.biases = start.biases.map((b) => b.map(() => rng.uniform(-0.5, 0.5)));
      await model.setWeights(start);
      await model.fit(x, y, { epochs: EPOCHS, batchSize: BATCH, learningRate: 0.1, shuffle: false });
      return { spec, config, start, ours: await model.getWeights() };
    }));
    const jobs = runs.map((r) => ({ x, y, layers: r.config.layers, ...r.start, epochs: EPOCHS, batchSize: BATCH, lr: 0.1 }));
    const py = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(jobs), encoding: 'utf8', timeout: 120_000 });
    if (py.status !== 0) throw new Error(`python exited ${py.status}: ${py.stderr}`);
    const theirs = JSON.parse(py.stdout.trim().split('\n').at(-1)!) as Weights[];
    runs.forEach((r, i) => {
      const [a, b, s] = [flat(r.ours), flat(theirs[i]), flat(r.start)];
      const maxAbs = Math.max(...a.map((v, k) => Math.abs(v - b[k])));
      const moved = Math.max(...a.map((v, k) => Math.abs(v - s[k])));
      const name = `${r.spec.activation}${r.spec.alpha === undefined ? '' : ` α ${r.spec.alpha}`}`;
      console.log(`${name}: max |Δw| ours vs PyTorch = ${maxAbs.toExponential(2)} after 15 steps (parameters moved up to ${moved.toFixed(3)})`);
      expect(moved, `${name}: training moved nothing`).toBeGreaterThan(1e-3);
      expect(maxAbs, `${name} (4-7-5-2): ours vs PyTorch`).toBeLessThan(1e-10);
    });
  });
});
