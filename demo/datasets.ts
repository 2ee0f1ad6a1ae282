import { type Matrix, Rng, mnistToMatrix, parseIdx } from '../src';
import type { DatasetName } from './presets';
import { TUTORIAL_SAMPLE } from './presets';

/** A dataset as the worker trains on it. */
export interface Dataset {
  name: DatasetName;
  /** One line for the page. */
  description: string;
  x: Matrix;
  /** Class index per row, or target rows (the tutorial, regression). */
  y: number[] | number[][];
  inputSize: number;
  outputSize: number;
  /** Class names, when the targets are classes. */
  classes: string[] | null;
  /** A separate test set (MNIST). */
  test: { x: Matrix; y: number[] } | null;
  /** Bounds `[xmin, xmax, ymin, ymax]` of a 2-D input set, for drawing its decision boundary. */
  extent: [number, number, number, number] | null;
  /** A standardized regression target's scale (original = y·std + mean), for MAE in its own units. */
  targetScale?: { mean: number; std: number } | null;
}

/** What the page asks the worker to load. */
export type DatasetSpec =
  | { name: 'mnist'; trainCount: number; testCount: number }
  | { name: 'xor' }
  | { name: 'spiral'; points: number; noise: number; seed: number }
  | { name: 'circles'; points: number; noise: number; seed: number }
  | { name: 'tutorial' }
  | {
      name: 'csv';
      file: string;
      x: Float64Array;
      rows: number;
      cols: number;
      y: number[];
      classes: string[] | null;
      targetScale: { mean: number; std: number } | null;
    };

/** The four XOR cases. */
export function xorDataset(): Dataset {
  return {
    name: 'xor',
    description: 'XOR: 4 points, one sigmoid output (1 when exactly one input is 1)',
    x: { data: Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]), shape: [4, 2] },
    y: [0, 1, 1, 0],
    inputSize: 2,
    outputSize: 1,
    classes: ['0', '1'],
    test: null,
    extent: [-0.5, 1.5, -0.5, 1.5],
  };
}

/**
 * Three interleaved spiral arms of 1¼ turns, `points` in all, with Gaussian noise of standard
 * deviation `noise`, reproducible from `seed`.
 */
export function spiralDataset(points: number, noise: number, seed: number): Dataset {
  checkCount('points', points, 3, 100_000);
  const rng = new Rng(seed, 'spiral');
  const classes = 3;
  const x = new Float64Array(points * 2);
  const y: number[] = [];
  for (let i = 0; i < points; i++) {
    const c = i % classes;
    const t = Math.floor(i / classes) / Math.ceil(points / classes); // 0..1 along the arm
    const r = 0.05 + 0.95 * t;
    const angle = (c * 2 * Math.PI) / classes + t * 1.25 * 2 * Math.PI; // 1¼ turns
    x[2 * i] = r * Math.cos(angle) + noise * rng.normal();
    x[2 * i + 1] = r * Math.sin(angle) + noise * rng.normal();
    y.push(c);
  }
  return {
    name: 'spiral',
    description: `Spiral: ${points} points in 3 arms, noise ${noise}`,
    x: { data: x, shape: [points, 2] },
    y,
    inputSize: 2,
    outputSize: 3,
    classes: ['arm 1', 'arm 2', 'arm 3'],
    test: null,
    extent: [-1.3, 1.3, -1.3, 1.3],
  };
}

/** Two concentric rings (radius 0.5 and 1), `points` in all, with Gaussian noise. */
export function circlesDataset(points: number, noise: number, seed: number): Dataset {
  checkCount('points', points, 2, 100_000);
  const rng = new Rng(seed, 'circles');
  const x = new Float64Array(points * 2);
  const y: number[] = [];
  for (let i = 0; i < points; i++) {
    const c = i % 2;
    const angle = rng.uniform(0, 2 * Math.PI);
    const r = c === 0 ? 1 : 0.5;
    x[2 * i] = r * Math.cos(angle) + noise * rng.normal();
    x[2 * i + 1] = r * Math.sin(angle) + noise * rng.normal();
    y.push(c);
  }
  return {
    name: 'circles',
    description: `Circles: ${points} points on two rings, noise ${noise}`,
    x: { data: x, shape: [points, 2] },
    y,
    inputSize: 2,
    outputSize: 2,
    classes: ['outer', 'inner'],
    test: null,
    extent: [-1.5, 1.5, -1.5, 1.5],
  };
}

/** The 2-2-2 worked example's single sample. */
export function tutorialDataset(): Dataset {
  return {
    name: 'tutorial',
    description: '2-2-2 worked example: one sample, inputs [0.05, 0.10], targets [0.01, 0.99]',
    x: { data: Float64Array.from(TUTORIAL_SAMPLE.x.flat()), shape: [1, 2] },
    y: TUTORIAL_SAMPLE.y,
    inputSize: 2,
    outputSize: 2,
    classes: null,
    test: null,
    extent: null,
  };
}

/** The MNIST files as the demo's Vite server serves them. */
export const MNIST_FILES = {
  trainImages: '/mnist/train-images-idx3-ubyte',
  trainLabels: '/mnist/train-labels-idx1-ubyte',
  testImages: '/mnist/t10k-images-idx3-ubyte',
  testLabels: '/mnist/t10k-labels-idx1-ubyte',
};

async function fetchIdx(url: string): Promise<{ shape: number[]; data: Uint8Array }> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status} ${res.statusText} (the demo's Vite server serves MNIST at /mnist/)`);
  return parseIdx(await res.arrayBuffer());
}

/** Parsed MNIST files, fetched once per page (or worker). */
let mnistFiles: Promise<{ trainImages: { shape: number[]; data: Uint8Array }; trainLabels: { shape: number[]; data: Uint8Array }; testImages: { shape: number[]; data: Uint8Array }; testLabels: { shape: number[]; data: Uint8Array } }> | null = null;

/**
 * The first `trainCount` MNIST training images (≤ 60 000) and the first `testCount` test
 * images (≤ 10 000), pixels scaled to [0, 1].
 */
export async function mnistDataset(trainCount: number, testCount: number): Promise<Dataset> {
  checkCount('MNIST training images', trainCount, 1, 60_000);
  checkCount('MNIST test images', testCount, 1, 10_000);
  mnistFiles ??= Promise.all(Object.values(MNIST_FILES).map(fetchIdx)).then(([trainImages, trainLabels, testImages, testLabels]) => ({ trainImages, trainLabels, testImages, testLabels }));
  let files;
  try {
    files = await mnistFiles;
  } catch (e) {
    mnistFiles = null;
    throw e;
  }
  const train = mnistToMatrix(files.trainImages, files.trainLabels, 0, trainCount);
  const test = mnistToMatrix(files.testImages, files.testLabels, 0, testCount);
  return {
    name: 'mnist',
    description: `MNIST: ${trainCount} training images, ${testCount} test images, 28×28 pixels`,
    x: train.x,
    y: train.labels,
    inputSize: 784,
    outputSize: 10,
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    test: { x: test.x, y: test.labels },
    extent: null,
  };
}

function checkCount(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${v}`);
}

/** Builds the dataset `spec` describes (fetching MNIST when asked). */
export async function loadDataset(spec: DatasetSpec): Promise<Dataset> {
  switch (spec.name) {
    case 'mnist':
      return mnistDataset(spec.trainCount, spec.testCount);
    case 'xor':
      return xorDataset();
    case 'spiral':
      return spiralDataset(spec.points, spec.noise, spec.seed);
    case 'circles':
      return circlesDataset(spec.points, spec.noise, spec.seed);
    case 'tutorial':
      return tutorialDataset();
    case 'csv': {
      const regression = spec.classes === null;
      return {
        name: 'csv',
        description: `${spec.file}: ${spec.rows} rows, ${spec.cols} inputs, ` + (regression ? 'regression (standardized target)' : `${spec.classes!.length} classes`),
        x: { data: spec.x, shape: [spec.rows, spec.cols] },
        y: regression ? spec.y.map((v) => [v]) : spec.y,
        inputSize: spec.cols,
        outputSize: regression ? 1 : spec.classes!.length,
        classes: spec.classes,
        test: null,
        extent: null,
        targetScale: spec.targetScale,
      };
    }
  }
}
