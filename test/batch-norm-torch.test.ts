// Batch normalization against PyTorch (float64): N steps of the CPU trainer from the same weights
// give the weights, biases, γ, β and running mean and variance of Linear → nn.BatchNorm1d(units,
// eps, momentum) → activation trained by torch.optim in train mode, and the same predictions in
// eval mode (one Python launch for both optimizers).
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src';
import { resolveConfig } from '../src/core/config';
import { type Params, allArrays, initParams } from '../src/core/params';
import { CpuBackend } from '../src/cpu/backend';
import { PYTHON, requireTorch } from './interop/helpers';

const net = resolveConfig({
  inputSize: 3, loss: 'sse', seed: 6, initializer: { type: 'normal', scale: 0.8 },
  layers: [{ units: 5, activation: 'tanh', norm: 'batch' }, { units: 7, activation: 'sigmoid', norm: 'batch', normEpsilon: 1e-3, normMomentum: 0.3 }, { units: 2, activation: 'linear' }],
});

const SCRIPT = `
import json, sys, torch
jobs = json.loads(sys.stdin.read())
out = []
for job in jobs:
    torch.manual_seed(0)
    mods = []
    acts = {'tanh': torch.nn.Tanh, 'sigmoid': torch.nn.Sigmoid, 'linear': torch.nn.Identity}
    for l, layer in enumerate(job['layers']):
        W = torch.tensor(job['weights'][l], dtype=torch.float64)
        lin = torch.nn.Linear(W.shape[0], W.shape[1]).double()
        with torch.no_grad():
            lin.weight.copy_(W.t()); lin.bias.copy_(torch.tensor(job['biases'][l], dtype=torch.float64))
        mods.append(lin)
        if job['norms'][l] is not None:
            ln = torch.nn.BatchNorm1d(W.shape[1], eps=layer['normEpsilon'], momentum=layer['normMomentum']).double()
            with torch.no_grad():
                ln.weight.copy_(torch.tensor(job['norms'][l][0], dtype=torch.float64)); ln.bias.copy_(torch.tensor(job['norms'][l][1], dtype=torch.float64))
            mods.append(ln)
        mods.append(acts[layer['activation']]())
    model = torch.nn.Sequential(*mods)
    opt = torch.optim.SGD(model.parameters(), lr=job['lr']) if job['optimizer'] == 'sgd' else torch.optim.Adam(model.parameters(), lr=job['lr'], eps=1e-8)
    x = torch.tensor(job['x'], dtype=torch.float64); y = torch.tensor(job['y'], dtype=torch.float64)
    for step in range(job['steps']):
        a = (step * job['batch']) % x.shape[0]
        xb, yb = x[a:a + job['batch']], y[a:a + job['batch']]
        opt.zero_grad(); loss = 0.5 * ((model(xb) - yb) ** 2).sum() / xb.shape[0]; loss.backward(); opt.step()
    flat = [p.detach().reshape(-1).tolist() for p in model.parameters()]
    stats = [[m.running_mean.tolist(), m.running_var.tolist()] for m in model if isinstance(m, torch.nn.BatchNorm1d)]
    model.eval()
    with torch.no_grad():
        predicted = model(x).tolist()
    out.append({'params': flat, 'stats': stats, 'predicted': predicted})
print(json.dumps(out))
`;

/** Our parameters in the order of torch's `model.parameters()`: per layer Wᵀ, b, then γ, β. */
function torchOrder(p: Params): number[][] {
  const out: number[][] = [];
  net.layers.forEach((layer, l) => {
    const k = l === 0 ? net.inputSize : net.layers[l - 1].units;
    out.push(Array.from({ length: layer.units * k }, (_, i) => p.weights[l][(i % k) * layer.units + Math.floor(i / k)]), Array.from(p.biases[l]));
    const n = p.norms?.[l];
    if (n) out.push(Array.from(n.subarray(0, layer.units)), Array.from(n.subarray(layer.units)));
  });
  return out;
}

describe("norm: 'batch' against PyTorch's nn.BatchNorm1d (float64)", () => {
  beforeAll(requireTorch);

  it('sgd and adam: 20 steps from the same weights give PyTorch’s W, b, γ, β, running estimates and eval-mode predictions (within 1e-10 for SGD, 1e-8 for Adam)', async () => {
    const rng = new Rng(9, 'batch norm torch');
    const rows = 20;
    const x = Array.from({ length: rows }, () => [0, 1, 2].map(() => rng.uniform(-2, 2)));
    const y = Array.from({ length: rows }, () => [0, 1].map(() => rng.uniform(-2, 2)));
    const start = initParams(net);
    for (const a of [...start.biases, ...start.norms!.filter((n) => n !== null)]) for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-1, 1);
    const runs: { optimizer: 'sgd' | 'adam'; lr: number; ours: Params; predicted: Float64Array }[] = [];
    for (const [optimizer, lr] of [['sgd', 0.1], ['adam', 0.01]] as const) {
      const cpu = new CpuBackend(net, start);
      await cpu.setTrainingData({ data: Float64Array.from(x.flat()), rows, cols: 3 }, { data: Float64Array.from(y.flat()), rows, cols: 2 });
      const order = Uint32Array.from({ length: rows }, (_, i) => i);
      const opt = optimizer === 'sgd' ? { type: 'sgd' as const } : { type: 'adam' as const, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
      const plans = [0, 1, 2, 3].map((e) => ({ order, batchSize: 4, learningRate: lr, optimizer: opt, stepsBefore: e * 5 }));
      const r = await cpu.trainEpochs(plans, null);
      expect(r.divergence).toBeUndefined();
      runs.push({ optimizer, lr, ours: await cpu.readParams(), predicted: await cpu.predict({ data: Float64Array.from(x.flat()), rows, cols: 3 }) });
      cpu.dispose();
    }
    const job = (o: 'sgd' | 'adam', lr: number) => ({
      layers: net.layers, optimizer: o, lr, x, y, steps: 20, batch: 4,
      weights: start.weights.map((w, l) => Array.from({ length: l === 0 ? 3 : net.layers[l - 1].units }, (_, i) => Array.from(w.subarray(i * net.layers[l].units, (i + 1) * net.layers[l].units)))),
      biases: start.biases.map((b) => Array.from(b)),
      norms: start.norms!.map((n, l) => (n ? [Array.from(n.subarray(0, net.layers[l].units)), Array.from(n.subarray(net.layers[l].units))] : null)),
    });
    const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(runs.map((run) => job(run.optimizer, run.lr))), encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`python exited ${r.status}: ${r.stderr}`);
    const theirs = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { params: number[][]; stats: number[][][]; predicted: number[][] }[];
    runs.forEach(({ optimizer, ours, predicted }, k) => {
      const [a, b] = [torchOrder(ours).flat(), theirs[k].params.flat()];
      const s = torchOrder(start).flat();
      const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
      const moved = Math.max(...a.map((v, i) => Math.abs(v - s[i])));
      const stats = ours.normStats!.filter((st) => st !== null).flatMap((st) => Array.from(st));
      const statsWorst = Math.max(...stats.map((v, i) => Math.abs(v - theirs[k].stats.flat(2)[i])));
      const predictedWorst = Math.max(...Array.from(predicted, (v, i) => Math.abs(v - theirs[k].predicted.flat()[i])));
      console.log(`batch norm, ${optimizer}: max |Δ| ours vs PyTorch = ${worst.toExponential(2)} (parameters), ${statsWorst.toExponential(2)} (running estimates), ${predictedWorst.toExponential(2)} (eval-mode predictions) after 20 steps (parameters moved up to ${moved.toFixed(3)})`);
      expect(stats.length, 'running estimates').toBe(theirs[k].stats.flat(2).length);
      // Adam divides each step by √v: the biases before a batch norm have a true gradient of 0, so
      // theirs is rounding noise, which Adam scales up to steps of η·noise/(|noise| + ε); SGD leaves it at 1e-14
      const tol = optimizer === 'sgd' ? 1e-10 : 1e-8;
      expect(statsWorst, `${optimizer}: running mean and variance`).toBeLessThan(tol);
      expect(predictedWorst, `${optimizer}: predictions of [${rows}, 3] with the running estimates`).toBeLessThan(tol);
      expect(a.length, 'parameter count').toBe(b.length);
      expect(moved, optimizer).toBeGreaterThan(1e-3);
      expect(worst, `${optimizer}: ${a.length} parameters of 3 → 5b tanh → 7b sigmoid → 2`).toBeLessThan(tol);
      expect(allArrays(ours).length).toBe(8);
    });
  });
});
