// Shared in-page helpers for the browser suites: one device per page, seeded data, readback,
// tolerance checks that print the case, shape, index, expected and actual.
import { requestGpu } from '../../../src/gpu/device';
import { Rng } from '../../../src/core/random';

let devicePromise: Promise<GPUDevice> | null = null;

/** The page's one WebGPU device (requested on first use). */
export function getDevice(): Promise<GPUDevice> {
  devicePromise ??= requestGpu().then((p) => {
    if (!p.device) throw new Error(`no WebGPU device in this page: ${p.description}`);
    return p.device;
  });
  return devicePromise;
}

/** Seeded values in [lo, hi], rounded to float32 so both paths see the same numbers. */
export function seeded(rng: Rng, n: number, lo = -2, hi = 2): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(rng.uniform(lo, hi));
  return out;
}

export const f32 = (a: ArrayLike<number>) => Float64Array.from(a, (v) => Math.fround(v));

/**
 * Checks |actual − expected| ≤ atol + rtol·scale for every element (scale defaults to |expected|)
 * and returns readable failures (at most 5 listed, plus the count).
 */
export function compare(label: string, expected: ArrayLike<number>, actual: ArrayLike<number>, tol: { atol: number; rtol: number }, scale?: ArrayLike<number>): string[] {
  const failures: string[] = [];
  let bad = 0;
  if (expected.length !== actual.length) return [`${label}: length ${actual.length}, expected ${expected.length}`];
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    const s = scale ? scale[i] : Math.abs(e);
    const ok = Number.isFinite(a) && Math.abs(a - e) <= tol.atol + tol.rtol * s;
    if (!ok) {
      bad++;
      if (failures.length < 5) failures.push(`${label}[${i}]: expected ${e}, got ${a} (|diff| ${Math.abs(a - e).toExponential(3)} > atol ${tol.atol} + rtol ${tol.rtol}·${s.toExponential(3)})`);
    }
  }
  if (bad > failures.length) failures.push(`${label}: ${bad} of ${expected.length} elements out of tolerance in all`);
  return failures;
}

/** Runs `body` inside a validation error scope; a validation error becomes a failure. */
export async function withValidation(device: GPUDevice, body: () => Promise<string[]>): Promise<string[]> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let failures: string[];
  try {
    failures = await body();
  } catch (e) {
    failures = [`threw: ${(e as Error).stack ?? e}`];
  }
  const oom = await device.popErrorScope();
  const validation = await device.popErrorScope();
  if (oom) failures.push(`GPU out-of-memory error: ${oom.message}`);
  if (validation) failures.push(`GPU validation error: ${validation.message}`);
  return failures;
}

/**
 * A model's weights, biases, the γ then β of its layers with norm and the running mean then
 * variance of those with norm 'batch' (as `getWeights()` gives them) in one flat list.
 */
export const flat = (w: { weights: number[][][]; biases: number[][]; norms?: ({ scale: number[]; shift: number[]; runningMean?: number[]; runningVar?: number[] } | null)[] }) => [
  ...w.weights.flat(2), ...w.biases.flat(), ...(w.norms ?? []).flatMap((n) => (n ? [...n.scale, ...n.shift, ...(n.runningMean ?? []), ...(n.runningVar ?? [])] : [])),
];

export { Rng };
