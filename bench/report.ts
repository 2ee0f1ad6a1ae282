// The benchmark's printed report: the main table (every system's rate per workload, with ratios),
// the time to the first step per system, 'auto''s choice against both backends, the autotuner's
// choices, and each matmul variant's GFLOP/s.
import type { SystemInfo } from './ours';
import type { ShapeReport } from './variants';
import type { System, Workload } from './workloads';

/** One system's timings on a workload. */
export interface SystemResult {
  seconds: number[];
  medianSeconds: number;
  /** samples/s (training) or GFLOP/s (matmul), from the median repetition time. */
  rate: number;
  unit: 'samples/s' | 'GFLOP/s';
  stepsPerSecond?: number;
}

/** Everything measured for one workload. */
export interface WorkloadResult {
  workload: Workload;
  systems: Partial<Record<System, SystemResult>>;
  info: Partial<Record<System, SystemInfo>>;
  failures: Partial<Record<System, string>>;
  ratios: Record<string, number>;
  /** Matmul workloads: every variant on the shape, and the tuner's choice. */
  variants?: ShapeReport[];
}

export const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(3));

/** Pads cells into aligned columns, with a rule under the header and a blank line between groups (first cell). */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(header), widths.map((n) => '-'.repeat(n)).join('  ')];
  let prev = '';
  for (const r of rows) {
    if (prev && r[0] !== prev) out.push('');
    prev = r[0];
    out.push(line(r));
  }
  return out;
}

/** The ratios of a workload's rates: ours against TF.js, WebGPU against the CPU, 'auto' against the faster backend. */
export function ratiosOf(r: WorkloadResult): Record<string, number> {
  const out: Record<string, number> = {};
  const ratio = (a: System, b: System) => {
    const x = r.systems[a];
    const y = r.systems[b];
    if (x && y) out[`${a} / ${b}`] = x.rate / y.rate;
  };
  ratio('ours-webgpu', 'tfjs-webgpu');
  ratio('ours-webgpu', 'jax-webgpu');
  ratio('ours-wasm', 'tfjs-wasm');
  ratio('ours-wasm', 'jax-wasm');
  ratio('ours-cpu', 'tfjs-cpu');
  ratio('ours-webgpu', 'ours-wasm');
  ratio('ours-wasm', 'ours-cpu');
  const auto = r.systems['ours-auto'];
  const best = Math.max(r.systems['ours-webgpu']?.rate ?? 0, r.systems['ours-wasm']?.rate ?? 0);
  if (auto && best > 0) out['ours-auto / faster of ours-webgpu, ours-wasm'] = auto.rate / best;
  return out;
}

/** The report's lines. */
export function reportLines(results: WorkloadResult[], head: string[]): string[] {
  const lines = [...head, ''];
  const rows: string[][] = [];
  for (const r of results) {
    for (const [s, v] of Object.entries(r.systems) as [System, SystemResult][]) {
      rows.push([r.workload.name, s, v.medianSeconds.toFixed(3), `${fmt(v.rate)} ${v.unit}`, v.stepsPerSecond ? fmt(v.stepsPerSecond) : '', `${Math.min(...v.seconds).toFixed(3)}–${Math.max(...v.seconds).toFixed(3)}`]);
    }
    for (const [s, message] of Object.entries(r.failures)) rows.push([r.workload.name, s, '', `failed (${message})`, '', '']);
    for (const [k, v] of Object.entries(r.ratios)) rows.push([r.workload.name, k, '', `× ${v >= 0.1 ? v.toFixed(2) : v.toPrecision(2)}`, '', '']);
  }
  lines.push(...table(['workload', 'system', 'median s', 'rate', 'steps/s', 'spread s'], rows));

  const first: string[][] = [];
  for (const r of results) {
    for (const [s, info] of Object.entries(r.info) as [System, SystemInfo][]) {
      if (info.firstStepSeconds === undefined) continue;
      first.push([r.workload.name, s, info.firstStepSeconds.toFixed(2), info.firstStepPipelines === undefined ? '' : String(info.firstStepPipelines)]);
    }
  }
  if (first.length) lines.push('', 'time to the first step: create the model, fit one batch (ours on WebGPU: a new device, nothing compiled before)', ...table(['workload', 'system', 'seconds', 'pipelines'], first));

  const trained: string[][] = [];
  for (const r of results) {
    for (const [s, info] of Object.entries(r.info) as [System, SystemInfo][]) {
      if (info.losses?.length) trained.push([r.workload.name, s, info.losses.map((v) => v.toPrecision(4)).join(' → '), s === 'ours-auto' ? '' : info.backend ?? '']);
    }
  }
  if (trained.length) lines.push('', 'training loss after the warm-up epoch, then after each repetition (it must fall), and what the peers ran on', ...table(['workload', 'system', 'loss', 'ran on'], trained));

  const auto = results.filter((r) => r.info['ours-auto']);
  if (auto.length) {
    lines.push('', "'auto' (decides at create by timing a step on both backends; its reason, then its rate against both backends)");
    for (const r of auto) {
      const i = r.info['ours-auto']!;
      const rate = (s: System) => (r.systems[s] ? `${fmt(r.systems[s]!.rate)} ${r.systems[s]!.unit}` : 'n/a');
      lines.push(`${r.workload.name}: ${i.backend} — ${i.reason}`, `  auto ${rate('ours-auto')}; ours-webgpu ${rate('ours-webgpu')}; ours-wasm ${rate('ours-wasm')}`);
    }
  }

  const tuned = results.filter((r) => r.info['ours-webgpu']?.variants);
  if (tuned.length) {
    lines.push('', "the autotuner's choices (ours-webgpu: training with the default tune 'fast'; matmul workloads: tune 'full')");
    for (const r of tuned) for (const [shape, v] of Object.entries(r.info['ours-webgpu']!.variants!)) lines.push(`${r.workload.name}: ${shape} → ${v}`);
  }

  for (const r of results.filter((x) => x.variants)) {
    lines.push('', `${r.workload.name}: every matmul variant (GFLOP/s, compile ms)`);
    for (const v of r.variants!) {
      lines.push(`  default ${v.defaultVariant}; tuner ('full') chose ${v.tuned ?? 'nothing'}${v.tunedVsBest ? `, ${(v.tunedVsBest * 100).toFixed(0)}% of the fastest measured here` : ''}`);
      for (const x of [...v.rates].sort((a, b) => (b.gflops ?? 0) - (a.gflops ?? 0))) {
        lines.push(`    ${x.variant.padEnd(16)} ${x.gflops === null ? `failed: ${x.note}` : `${x.gflops.toFixed(2).padStart(7)} GFLOP/s`}${x.compileMs === null ? '' : `  (compile ${x.compileMs.toFixed(0)} ms)`}`);
      }
    }
  }
  return lines;
}
