// The kernel cases, as plain data, so the Node side can list them and the page can run them.
import type { Activation, LossName } from '../../../src/types';

export type KernelCase =
  | { kind: 'matmul'; form: 'AB' | 'ATB' | 'ABT'; M: number; N: number; K: number }
  | { kind: 'forward'; M: number; N: number; K: number; activation: Exclude<Activation, 'softmax'>; bias: boolean }
  | { kind: 'hiddenDelta'; M: number; N: number; K: number; activation: Exclude<Activation, 'softmax'> }
  | { kind: 'softmax'; rows: number; cols: number }
  | { kind: 'outputDelta'; loss: LossName; activation: Activation; rows: number; cols: number }
  | { kind: 'columnSums'; rows: number; cols: number }
  | { kind: 'gather'; n: number; rows: number; cols: number; shardRows: number }
  | { kind: 'divergenceFlag'; rows: number }
  | { kind: 'optimizer'; optimizer: 'sgd' | 'momentum' | 'adam'; count: number; l2: number; steps: number };

export const caseName = (c: KernelCase): string => {
  switch (c.kind) {
    case 'matmul': return `matmul ${c.form} M×N×K = ${c.M}×${c.N}×${c.K}`;
    case 'forward': return `forward epilogue ${c.activation}${c.bias ? ' + bias' : ''} ${c.M}×${c.N}×${c.K}`;
    case 'hiddenDelta': return `hidden delta (δ·Wᵀ) ⊙ ${c.activation}' ${c.M}×${c.N}×${c.K}`;
    case 'softmax': return `softmax ${c.rows}×${c.cols}`;
    case 'outputDelta': return `output delta + loss ${c.loss} on ${c.activation} ${c.rows}×${c.cols}`;
    case 'columnSums': return `bias gradient (column sums) ${c.rows}×${c.cols}`;
    case 'gather': return `gather ${c.rows} of ${c.n} rows × ${c.cols} (${Math.ceil(c.n / c.shardRows)} shard${c.n > c.shardRows ? 's' : ''})`;
    case 'divergenceFlag': return `divergence flag set by a non-finite batch loss (${c.rows} rows)`;
    case 'optimizer': return `${c.optimizer}${c.l2 ? ' + L2' : ''} × ${c.steps} steps on ${c.count} parameters`;
  }
};

const shapes: [number, number, number][] = [
  [1, 1, 1], [9, 9, 9], [45, 65, 33], [64, 784, 256], [257, 129, 10], [3, 1, 200], [130, 70, 1], [65, 64, 17],
];
const elementwise: Exclude<Activation, 'softmax'>[] = ['linear', 'sigmoid', 'tanh', 'relu'];

export const kernelCases: KernelCase[] = [
  ...(['AB', 'ATB', 'ABT'] as const).flatMap((form) => shapes.map(([M, N, K]) => ({ kind: 'matmul' as const, form, M, N, K }))),
  ...elementwise.flatMap((activation) => [
    { kind: 'forward' as const, M: 45, N: 65, K: 33, activation, bias: true },
    { kind: 'forward' as const, M: 257, N: 10, K: 129, activation, bias: false },
    { kind: 'hiddenDelta' as const, M: 45, N: 65, K: 33, activation },
    { kind: 'hiddenDelta' as const, M: 1, N: 1, K: 1, activation },
  ]),
  { kind: 'softmax', rows: 37, cols: 10 },
  { kind: 'softmax', rows: 5, cols: 1 },
  { kind: 'softmax', rows: 3, cols: 300 },
  ...(['sigmoid', 'tanh', 'relu', 'linear', 'softmax'] as const).flatMap((activation) =>
    (['sse', 'mse'] as const).map((loss) => ({ kind: 'outputDelta' as const, loss, activation, rows: 33, cols: 7 })),
  ),
  { kind: 'outputDelta', loss: 'binaryCrossEntropy', activation: 'sigmoid', rows: 33, cols: 7 },
  { kind: 'outputDelta', loss: 'binaryCrossEntropy', activation: 'sigmoid', rows: 9, cols: 1 },
  { kind: 'outputDelta', loss: 'categoricalCrossEntropy', activation: 'softmax', rows: 65, cols: 10 },
  { kind: 'columnSums', rows: 45, cols: 65 },
  { kind: 'columnSums', rows: 1, cols: 1 },
  { kind: 'columnSums', rows: 300, cols: 3 },
  { kind: 'gather', n: 100, rows: 33, cols: 7, shardRows: 100 },
  { kind: 'gather', n: 100, rows: 60, cols: 7, shardRows: 40 },
  { kind: 'gather', n: 100, rows: 83, cols: 3, shardRows: 25 },
  { kind: 'divergenceFlag', rows: 40 },
  ...(['sgd', 'momentum', 'adam'] as const).flatMap((optimizer) => [
    { kind: 'optimizer' as const, optimizer, count: 1000, l2: 0, steps: 10 },
    { kind: 'optimizer' as const, optimizer, count: 65, l2: 0.5, steps: 10 },
  ]),
];
