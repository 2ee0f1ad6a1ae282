// The features TensorFlow.js lacks, against PyTorch (Debian's python3-torch, float64, CPU), from
// identical starting weights and the same batches: AdamW (torch.optim.AdamW, biases in a group
// without decay), gradient clipping by the global norm and by value
// (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), per-sample weights in the loss, and
// nn.HuberLoss with L1 (λ₁/m·Σ|W|) and L2 terms added to the loss.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FitOptions, MLP, type ModelConfig, Rng } from '../src';
import { PYTHON, requireTorch } from './interop/helpers';

/** Trains with plain mini-batches in order: SGD or AdamW, optional clipping and sample weights. */
const SCRIPT = String.raw`
import json, sys, torch
torch.set_default_dtype(torch.float64)
job = json.loads(sys.stdin.read())
x = torch.tensor(job['x']); y = torch.tensor(job['y'])
w = torch.tensor(job['sampleWeight']) if job.get('sampleWeight') else None
acts = {'tanh': torch.nn.Tanh(), 'relu': torch.nn.ReLU(), 'linear': torch.nn.Identity()}
layers, weights, biases = [], [], []
for i, l in enumerate(job['layers']):
    lin = torch.nn.Linear(len(job['weights'][i]), l['units'])
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(job['weights'][i]).T)
        lin.bias.copy_(torch.tensor(job['biases'][i]))
    layers += [lin, acts[l['activation']]]
    weights.append(lin.weight); biases.append(lin.bias)
net = torch.nn.Sequential(*layers)
if job['optimizer'] == 'adamw':
    opt = torch.optim.AdamW([{'params': weights, 'weight_decay': job['weightDecay']}, {'params': biases, 'weight_decay': 0.0}], lr=job['lr'], betas=(0.9, 0.999), eps=1e-8)
else:
    opt = torch.optim.SGD(net.parameters(), lr=job['lr'])
n, bs = x.shape[0], job['batchSize']
for epoch in range(job['epochs']):
    for s in range(0, n, bs):
        xb, yb = x[s:s + bs], y[s:s + bs]
        opt.zero_grad()
        if job.get('loss') == 'huber':
            loss = torch.nn.HuberLoss(reduction='mean', delta=job['huberDelta'])(net(xb), yb)
        else:
            per_row = ((net(xb) - yb) ** 2).mean(dim=1)
            loss = (per_row * w[s:s + bs]).mean() if w is not None else per_row.mean()
        m = xb.shape[0]
        if job.get('l1'): loss = loss + job['l1'] / m * sum(p.abs().sum() for p in weights)
        if job.get('l2'): loss = loss + job['l2'] / (2 * m) * sum((p ** 2).sum() for p in weights)
        loss.backward()
        if job.get('clipNorm'): torch.nn.utils.clip_grad_norm_(net.parameters(), job['clipNorm'])
        if job.get('clipValue'): torch.nn.utils.clip_grad_value_(net.parameters(), job['clipValue'])
        opt.step()
print(json.dumps({'weights': [l.weight.detach().T.tolist() for l in layers[::2]], 'biases': [l.bias.detach().tolist() for l in layers[::2]]}))
`;

const config: ModelConfig = { inputSize: 4, layers: [{ units: 10, activation: 'tanh' }, { units: 6, activation: 'relu' }, { units: 2, activation: 'linear' }], loss: 'mse' };

function data(rows = 40) {
  const rng = new Rng(9, 'torch cross-check');
  const x = Array.from({ length: rows }, () => Array.from({ length: 4 }, () => rng.uniform(-1.5, 1.5)));
  const y = x.map((r) => [Math.sin(r[0]) + 0.5 * r[1] * r[2], Math.cos(r[3]) * 0.8]);
  return { x, y };
}

/** Trains ours (CPU, float64) and PyTorch (float64) from the same weights; the largest parameter difference. */
async function versusTorch(fit: FitOptions, torchJob: Record<string, unknown>, change: Partial<ModelConfig> = {}): Promise<{ maxAbs: number; moved: number }> {
  const model = await MLP.create({ ...config, ...change, backend: 'cpu', seed: 3 });
  const start = await model.getWeights();
  const { x, y } = data();
  await model.fit(x, y, { ...fit, shuffle: false });
  const r = spawnSync(PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify({ x, y, layers: config.layers, ...start, epochs: fit.epochs, batchSize: fit.batchSize, ...torchJob }),
    encoding: 'utf8', timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`python exited ${r.status}: ${r.stderr}`);
  const theirs = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { weights: number[][][]; biases: number[][] };
  const ours = await model.getWeights();
  const flat = (w: { weights: number[][][]; biases: number[][] }) => [...w.weights.flat(2), ...w.biases.flat()];
  const a = flat(ours);
  const b = flat(theirs);
  const s = flat(start);
  return { maxAbs: Math.max(...a.map((v, i) => Math.abs(v - b[i]))), moved: Math.max(...a.map((v, i) => Math.abs(v - s[i]))) };
}

describe('features against PyTorch (float64)', () => {
  beforeAll(requireTorch);

  it('AdamW (weight decay 0.1, biases not decayed) = torch.optim.AdamW', async () => {
    const r = await versusTorch({ epochs: 6, batchSize: 8, learningRate: 0.01, optimizer: { type: 'adamw', weightDecay: 0.1 } }, { optimizer: 'adamw', lr: 0.01, weightDecay: 0.1 });
    console.log(`AdamW: max |Δw| ours vs torch.optim.AdamW = ${r.maxAbs.toExponential(2)} after 30 steps (parameters moved up to ${r.moved.toFixed(3)})`);
    expect(r.maxAbs).toBeLessThan(1e-10);
  });

  it('clipNorm 0.1 then clipValue 0.02 (sgd) = clip_grad_norm_ then clip_grad_value_', async () => {
    const r = await versusTorch({ epochs: 5, batchSize: 8, learningRate: 0.5, clipNorm: 0.1, clipValue: 0.02 }, { optimizer: 'sgd', lr: 0.5, clipNorm: 0.1, clipValue: 0.02 });
    // torch scales by clipNorm / (‖g‖ + 1e-6); ours by clipNorm / ‖g‖
    console.log(`clipping: max |Δw| ours vs torch = ${r.maxAbs.toExponential(2)} after 25 steps (parameters moved up to ${r.moved.toFixed(3)})`);
    expect(r.maxAbs).toBeLessThan(1e-6);
  });

  it('clipNorm alone changes the result (the clipping is active)', async () => {
    const clipped = await versusTorch({ epochs: 5, batchSize: 8, learningRate: 0.5, clipNorm: 0.1 }, { optimizer: 'sgd', lr: 0.5 });
    expect(clipped.maxAbs).toBeGreaterThan(1e-3);
  });

  it('sampleWeight = a weighted mean of per-sample losses in torch', async () => {
    const sampleWeight = Array.from({ length: 40 }, (_, i) => [0.2, 1, 3.5, 0][i % 4]);
    const r = await versusTorch({ epochs: 5, batchSize: 8, learningRate: 0.1, sampleWeight }, { optimizer: 'sgd', lr: 0.1, sampleWeight });
    console.log(`sampleWeight: max |Δw| ours vs torch = ${r.maxAbs.toExponential(2)} after 25 steps`);
    expect(r.maxAbs).toBeLessThan(1e-10);
  });

  it('huber (δ 0.3) with L1 0.02 and L2 0.01 (sgd) = nn.HuberLoss plus λ₁/m·Σ|W| + λ/(2m)·ΣW²', async () => {
    const r = await versusTorch({ epochs: 6, batchSize: 8, learningRate: 0.2 }, { optimizer: 'sgd', lr: 0.2, loss: 'huber', huberDelta: 0.3, l1: 0.02, l2: 0.01 }, { loss: 'huber', huberDelta: 0.3, l1: 0.02, l2: 0.01 });
    console.log(`huber + L1 + L2: max |Δw| ours vs torch = ${r.maxAbs.toExponential(2)} after 30 steps (parameters moved up to ${r.moved.toFixed(3)})`);
    expect(r.maxAbs).toBeLessThan(1e-10);
    expect(r.moved).toBeGreaterThan(1e-2);
  });

  it('huber and L1 change the result (their terms are active): torch with mse and no L1 differs', async () => {
    const r = await versusTorch({ epochs: 6, batchSize: 8, learningRate: 0.2 }, { optimizer: 'sgd', lr: 0.2, l2: 0.01 }, { loss: 'huber', huberDelta: 0.3, l1: 0.02, l2: 0.01 });
    expect(r.maxAbs).toBeGreaterThan(1e-3);
  });
});
