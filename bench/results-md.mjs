// Writes bench/RESULTS.md from the benchmark's JSON results (bench/results*.json): one section a
// file, with tables of workload × system, the ratios, and the date, command and machine the run
// recorded. bench/run.mjs calls it after every run (and first records the command and machine in
// the JSON the run wrote); `node bench/results-md.mjs` runs it alone, `--check` only reports
// whether RESULTS.md matches the JSON. Plain JavaScript so that Node runs it without a build.
import { cpus, arch, release, totalmem, type as osType } from 'node:os';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const SYSTEM_ORDER = ['ours-webgpu', 'tfjs-webgpu', 'jax-webgpu', 'ours-wasm', 'tfjs-wasm', 'jax-wasm', 'ours-cpu', 'tfjs-cpu', 'ours-auto'];
const NOT_RECORDED = 'not recorded in the JSON';

/** A rate or time as the benchmark prints it: 3 significant digits below 100, whole numbers above. */
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(3));
const ratio = (v) => `${v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2)}×`;
const cell = (v) => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const utc = (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : NOT_RECORDED);
const when = (iso) => (iso ? `, ${utc(iso)}` : '');
// a part a backend does not have (no compile on wasm) is a dash
const seconds = (v) => (typeof v !== 'number' || Number.isNaN(v) ? '–' : v >= 0.01 ? v.toFixed(2) : v.toPrecision(2));

/** A markdown table; `align` marks right-aligned (numeric) columns. */
function table(header, rows, align = header.map((_, i) => i > 0)) {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${align.map((r) => (r ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** The lines every section starts with: date, command, machine and what else the run recorded. */
function provenance(json, extra) {
  const run = json.run ?? {};
  return [
    `- date: ${utc(json.date ?? run.finished)}`,
    `- command: ${(json.command ?? run.command) ? `\`${json.command ?? run.command}\`` : NOT_RECORDED}`,
    `- machine: ${run.machine ?? `${NOT_RECORDED} (bench/run.mjs records it in runs from 2026-12-05 on)`}`,
    `- adapter: ${json.adapter ?? NOT_RECORDED}`,
    ...extra,
  ];
}

/** A section for a benchmark run (npm run bench / bench:node): rates, ratios, first steps, 'auto', variants. */
function benchmarkSection(name, json) {
  const env = json.environment ?? {};
  const results = json.results ?? [];
  const systems = SYSTEM_ORDER.filter((s) => results.some((r) => r.systems?.[s] || r.failures?.[s]));
  const out = [
    `## ${name}: benchmark${when(json.date)}`,
    '',
    ...provenance(json, [
      `- runtime: ${env.runtime ?? NOT_RECORDED}${env.tfjs ? `; TensorFlow.js ${env.tfjs}` : ''}${env.jax ? `; jax-js ${env.jax}` : ''}${env.matmulKernel ? `; our matmul kernels: ${env.matmulKernel}` : ''}`,
      ...(env.page ? [`- page: ${env.page}`] : []),
      `- median of ${json.options?.reps ?? '?'} repetitions after a warm-up; scale ${json.options?.scale ?? '?'}`,
    ]),
    '',
    '### Rates',
    '',
    ...table(['workload', 'unit', ...systems], results.map((r) => {
      const unit = Object.values(r.systems ?? {})[0]?.unit ?? '';
      return [r.name, unit, ...systems.map((s) => (r.systems?.[s] ? fmt(r.systems[s].rate) : r.failures?.[s] ? 'failed' : '–'))];
    }), [false, false, ...systems.map(() => true)]),
  ];
  const ratioKeys = [...new Set(results.flatMap((r) => Object.keys(r.ratios ?? {})))];
  if (ratioKeys.length) {
    out.push('', '### Ratios (rates within this run)', '', ...table(['workload', ...ratioKeys], results.map((r) => [r.name, ...ratioKeys.map((k) => (r.ratios?.[k] === undefined ? '–' : ratio(r.ratios[k])))])));
  }
  const failures = results.flatMap((r) => Object.entries(r.failures ?? {}).map(([s, m]) => [r.name, s, m]));
  if (failures.length) out.push('', '### Failures', '', ...table(['workload', 'system', 'message'], failures, [false, false, false]));
  const firstSystems = systems.filter((s) => results.some((r) => r.info?.[s]?.firstStepSeconds !== undefined));
  if (firstSystems.length) {
    out.push('', '### Time to the first step (seconds: create the model, fit one batch)', '', ...table(['workload', ...firstSystems], results.filter((r) => r.kind === 'train').map((r) => [r.name, ...firstSystems.map((s) => (r.info?.[s]?.firstStepSeconds === undefined ? '–' : seconds(r.info[s].firstStepSeconds)))])));
  }
  const lossSystems = systems.filter((s) => results.some((r) => r.info?.[s]?.losses?.length));
  if (lossSystems.length) {
    out.push('', '### Training loss (after the warm-up epoch → after the last repetition)', '', ...table(['workload', ...lossSystems], results.filter((r) => r.kind === 'train').map((r) => [r.name, ...lossSystems.map((s) => {
      const l = r.info?.[s]?.losses;
      return l?.length ? `${l[0].toPrecision(3)} → ${l[l.length - 1].toPrecision(3)}` : '–';
    })])));
  }
  const peers = results.flatMap((r) => Object.entries(r.info ?? {}).filter(([s, i]) => !s.startsWith('ours-') && i.backend).map(([s, i]) => [r.name, s, i.backend]));
  if (peers.length) out.push('', '### What the peers ran on', '', ...table(['workload', 'system', 'backend'], peers, [false, false, false]));
  const auto = results.filter((r) => r.info?.['ours-auto']?.reason);
  if (auto.length) out.push('', "### What 'auto' chose", '', ...table(['workload', 'backend', 'reason'], auto.map((r) => [r.name, r.info['ours-auto'].backend, r.info['ours-auto'].reason]), [false, false, false]));
  const kernels = results.filter((r) => r.variants?.length);
  if (kernels.length) {
    out.push('', "### Matmul variants (GFLOP/s; the tuner's 'full' choice in bold)", '');
    for (const r of kernels) {
      for (const v of r.variants) {
        const shape = `${v.shape.M}×${v.shape.K}×${v.shape.N} ${v.shape.form}`;
        out.push(`${r.name}, ${shape}: default ${v.defaultVariant}; tuner chose ${v.tuned ?? 'nothing'}${v.tunedVsBest ? ` (${Math.round(v.tunedVsBest * 100)}% of the fastest measured)` : ''}`, '');
        const rows = [...v.rates].sort((a, b) => (b.gflops ?? -1) - (a.gflops ?? -1)).map((x) => [x.variant === v.tuned ? `**${x.variant}**` : x.variant, x.gflops === null ? `failed: ${x.note ?? ''}` : x.gflops.toFixed(2), x.compileMs === null ? '–' : x.compileMs.toFixed(1)]);
        out.push(...table(['variant', 'GFLOP/s', 'compile ms'], rows), '');
      }
    }
    out.pop();
  }
  return out;
}

/** A section for npm run bench -- --first-step: medians of each part, every repetition. */
function firstStepSection(name, json) {
  const parts = ['seconds', 'createSeconds', 'againSeconds', 'compileSeconds'];
  const rows = Object.entries(json.runs ?? {}).map(([w, runs]) => [
    w,
    ...parts.map((k) => seconds(median(runs.map((x) => x[k])))),
    runs.some((x) => x.pipelines !== undefined) ? String(median(runs.map((x) => x.pipelines ?? 0))) : '–',
    runs.map((x) => seconds(x.seconds)).join(' '),
  ]);
  return [
    `## ${name}: time to the first step${when(json.date)}`,
    '',
    ...provenance(json, [/--backends=/.test(json.command ?? '') ? "- ours on the backend each row names ('auto' created without a hint, so it decides at the first fit), a new device each repetition (nothing compiled before); medians in seconds" : '- ours on WebGPU, a new device each repetition (nothing compiled before); medians in seconds']),
    '',
    ...table(['workload', 'create → end of first fit', 'of which create', 'the same fit again', 'longest compile', 'pipelines', 'every repetition'], rows, [false, true, true, true, true, true, false]),
  ];
}

/** A section for npm run bench:stream: each way of holding the data, against the first. */
function streamSection(name, json) {
  const results = json.results ?? [];
  const base = results[0];
  const mib = (b) => (b / 2 ** 20).toFixed(1);
  const rows = results.map((r) => [r.name, String(r.rows), fmt(r.samplesPerSecond), base ? ratio(r.samplesPerSecond / base.samplesPerSecond) : '–', seconds(r.seconds), mib(r.deviceBytes), `${r.rssBeforeMB.toFixed(0)} → ${r.peakRssMB.toFixed(0)}`, r.loss.toPrecision(4)]);
  return [
    `## ${name}: data in memory and streamed${when(json.date ?? json.run?.finished)}`,
    '',
    ...provenance(json, [`- runtime: ${json.node ? `Node ${json.node}, Dawn (npm package webgpu)` : NOT_RECORDED}`]),
    '',
    ...table(['data', 'rows', 'samples/s', `× ${base?.name ?? 'first'}`, 'seconds', 'on the device (MiB)', 'process RSS before → peak (MiB)', 'loss'], rows),
  ];
}

/** The JSON results files of `dir`, newest benchmark first, then the others by name. */
export function resultFiles(dir = benchDir) {
  const names = readdirSync(dir).filter((f) => /^results.*\.json$/.test(f));
  const read = names.map((f) => ({ name: f, json: JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
  const isBenchmark = (j) => Array.isArray(j.results) && j.results.some((r) => r.systems);
  const bench = read.filter((r) => isBenchmark(r.json)).sort((a, b) => String(b.json.date ?? '').localeCompare(String(a.json.date ?? '')));
  const other = read.filter((r) => !isBenchmark(r.json)).sort((a, b) => a.name.localeCompare(b.name));
  return [...bench, ...other];
}

/**
 * RESULTS.md's text for the JSON files in `dir` (default: bench/).
 * @example
 * const md = renderResults(); // '# Benchmark results\n…'
 */
export function renderResults(dir = benchDir) {
  const sections = resultFiles(dir).map(({ name, json }) => {
    const path = `bench/${name}`;
    if (json.runs) return firstStepSection(path, json);
    if (Array.isArray(json.results) && json.results.some((r) => r.systems)) return benchmarkSection(path, json);
    if (Array.isArray(json.results) && json.results.some((r) => r.samplesPerSecond !== undefined)) return streamSection(path, json);
    return [`## ${path}`, '', 'Not a results file this writer knows (no `results` with `systems` or `samplesPerSecond`, no `runs`).'];
  });
  return [
    '# Benchmark results',
    '',
    '<!-- Generated by `node bench/results-md.mjs` from bench/results*.json; `npm run bench` rewrites it after every run. Do not edit by hand. -->',
    '',
    'Every figure below is read from the JSON file named in its section, as that run wrote it. How the',
    'benchmark works and what limits these figures: [docs/performance.md](../docs/performance.md).',
    'Rates are medians of the timed repetitions; ratios compare rates within one run only.',
    '',
    ...sections.flatMap((s) => [...s, '']),
  ].join('\n');
}

/**
 * Writes RESULTS.md next to the JSON files in `dir`; returns its path.
 * @example
 * writeResults(); // '/…/bench/RESULTS.md'
 */
export function writeResults(dir = benchDir) {
  const out = join(dir, 'RESULTS.md');
  writeFileSync(out, renderResults(dir));
  return out;
}

/**
 * The machine a run is on, in one line (CPU, cores, memory, OS, Node, Vulkan ICD when set).
 * @example
 * machineDescription(); // e.g. '2 cores (AMD EPYC), 23.5 GiB memory, Linux 6.18.44 x64, Node v20.20.2'
 */
export function machineDescription(env = process.env) {
  const c = cpus();
  const icd = env.VK_ICD_FILENAMES ? `, VK_ICD_FILENAMES=${env.VK_ICD_FILENAMES}` : '';
  return `${c.length} cores (${c[0]?.model?.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${osType()} ${release()} ${arch()}, Node ${process.version}${icd}`;
}

/**
 * The command line that started this run: `npm run <script> -- <args>` under npm (the script's own
 * arguments left out), else `node bench/run.mjs <args>`; with the BENCH_* and WEBGPU_HARDWARE
 * variables that were set in front.
 * @example
 * commandLine(['--quick'], { npm_lifecycle_event: 'bench', npm_lifecycle_script: 'node bench/run.mjs' }); // 'npm run bench -- --quick'
 */
export function commandLine(args, env = process.env) {
  const vars = Object.keys(env).filter((k) => (/^BENCH_/.test(k) && k !== 'BENCH_RELAUNCHED') || k === 'WEBGPU_HARDWARE').sort().map((k) => `${k}=${env[k]}`);
  let cmd;
  if (env.npm_lifecycle_event) {
    const own = (env.npm_lifecycle_script ?? '').split(/\s+/).filter((a) => a.startsWith('--'));
    const extra = args.filter((a) => !own.includes(a));
    cmd = `npm run ${env.npm_lifecycle_event}${extra.length ? ` -- ${extra.join(' ')}` : ''}`;
  } else {
    cmd = ['node bench/run.mjs', ...args].join(' ');
  }
  return [...vars, cmd].join(' ');
}

/** The JSON files a run may write: bench/results*.json and the --out (or BENCH_OUT) file. */
function candidates(args, root) {
  const out = args.find((a) => a.startsWith('--out='))?.slice(6) ?? process.env.BENCH_OUT;
  const files = readdirSync(benchDir).filter((f) => /^results.*\.json$/.test(f)).map((f) => join(benchDir, f));
  return out ? [...new Set([...files, resolve(root, out)])] : files;
}

/**
 * The modification times of the JSON files a run with `args` may write, taken before it starts.
 * @example
 * const before = snapshotResults(process.argv.slice(2), root);
 */
export function snapshotResults(args, root) {
  return new Map(candidates(args, root).map((f) => [f, existsSync(f) ? statSync(f).mtimeMs : null]));
}

/**
 * After a run: adds `run: { command, machine, finished }` to each JSON file it wrote (the files
 * whose modification time changed since `before`, or that are new), so RESULTS.md can say where
 * its figures come from; returns those files.
 * @example
 * recordRun(before, process.argv.slice(2), root);
 */
export function recordRun(before, args, root) {
  const written = candidates(args, root).filter((f) => existsSync(f) && statSync(f).mtimeMs !== before.get(f));
  for (const f of written) {
    const json = JSON.parse(readFileSync(f, 'utf8'));
    json.run = { command: commandLine(args), machine: machineDescription(), finished: new Date().toISOString() };
    writeFileSync(f, JSON.stringify(json, null, 2) + '\n');
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const current = existsSync(join(benchDir, 'RESULTS.md')) ? readFileSync(join(benchDir, 'RESULTS.md'), 'utf8') : '';
    const ok = current === renderResults();
    console.log(ok ? 'bench/RESULTS.md matches bench/results*.json' : 'bench/RESULTS.md is out of date: run node bench/results-md.mjs');
    process.exit(ok ? 0 : 1);
  }
  console.log(`wrote ${writeResults()}`);
}
