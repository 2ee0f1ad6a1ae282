/**
 * How the demo writes numbers: losses to 3 significant digits (scientific when small), rates,
 * sizes and durations. Missing or non-finite values are '–'.
 *
 * @example
 * fmtLoss(3.514e-5); // '3.51e-5'
 * fmtLoss(0.06276);  // '0.0628'
 * fmtBytes(3.3e6);   // '3.3 MB'
 */

const missing = (v: number | undefined | null): v is undefined | null => v === undefined || v === null || !Number.isFinite(v);

/** Below this magnitude a loss is written in scientific notation. */
const SCIENTIFIC_BELOW = 1e-3;

/** A loss (or any positive measurement) to 3 significant digits; scientific below 0.001. */
export function fmtLoss(v: number | undefined | null): string {
  if (missing(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < SCIENTIFIC_BELOW) return v.toExponential(2); // e.g. 3.51e-5
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
}

/** A fraction as a percentage with `digits` decimals, or '–'. */
export const pct = (v: number | undefined | null, digits = 2): string => (missing(v) ? '–' : `${(v * 100).toFixed(digits)}%`);

/** A whole count with thousands separators. */
export const fmtCount = (v: number): string => Math.round(v).toLocaleString('en-US');

/** Samples per second: 3 significant digits below 1 000, whole numbers above. */
export function fmtRate(v: number | undefined | null): string {
  if (missing(v)) return '–';
  return v >= 1000 ? fmtCount(v) : v.toPrecision(3);
}

/** Bytes in B / kB / MB / GB (decimal units), 2 significant digits. */
export function fmtBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? Math.round(v) : v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** A duration: ms below a second, s below two minutes, then min or h. */
export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  if (seconds < 120) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** A metric such as MAE or R² to 3 significant digits (R² may be negative). */
export function fmtMetric(v: number | undefined | null): string {
  if (missing(v)) return '–';
  if (v !== 0 && Math.abs(v) < SCIENTIFIC_BELOW) return v.toExponential(2);
  return Math.abs(v) >= 1000 ? fmtCount(v) : v.toPrecision(3);
}
