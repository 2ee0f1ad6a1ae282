// The benchmark driver (run by bench/run.mjs): this project's WebGPU, wasm and CPU trainers
// against TensorFlow.js on 'webgpu', 'wasm' and 'cpu' and jax-js on 'webgpu' and 'wasm', in one
// headless-Chromium session on one WebGPU adapter (a plain page, or with --isolated one served
// cross-origin isolated), or (with --node) the same under Node, WebGPU coming from Dawn. Prints a
// table, writes JSON.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { type BrowserSession, openBrowser, repoRoot } from '../test/browser/harness';
import { requestGpu } from '../src/gpu/device';
import { traitsOf } from '../src/gpu/kernels/matmul-variants';
import { dawn } from './dawn';
import type { FirstStep, Prepared, SystemInfo } from './ours';
import { FIRST_STEP_BACKENDS, type FirstStepBackend } from './first-step-backends';
import type { ProfileRow } from './profile';
import { type WorkloadResult, ratiosOf, reportLines, table } from './report';
import { groupsFor } from './groups';
import { prepareSystem } from './systems';
import type { ShapeReport } from './variants';
import { SYSTEMS, type System, type Workload, repetitionWork, workloads } from './workloads';

const USAGE_TEXT = `npm run bench [-- options]        (browser: ours vs TensorFlow.js, headless Chromium)
npm run bench:node [-- options]   (Node + Dawn: the same systems, TensorFlow.js's webgpu backend on Dawn)

  --workloads=a,b   subset of: ${workloads().map((w) => w.name).join(', ')}     (env BENCH_WORKLOADS)
  --systems=a,b     subset of: ${SYSTEMS.join(', ')}     (env BENCH_SYSTEMS)
  --reps=N          timed repetitions per system, median reported (default 3)     (env BENCH_REPS)
  --scale=F         multiply sample and repetition counts by F (default 1)     (env BENCH_SCALE)
  --quick           same as --scale=0.25 --reps=2
  --out=FILE        JSON results (default bench/results.json, or bench/results-node.json with --node)
  --node            run under Node with Dawn (the 'webgpu' package) instead of Chromium
  --isolated        serve the page cross-origin isolated (COOP: same-origin, COEP: require-corp),
                    so SharedArrayBuffer exists and jax-js's and TF.js's wasm run on worker threads
                    (default --out bench/results-isolated.json; browser only)
  --profile=W       instead of the benchmark: each launch of training workload W's step as
                    MLP.profile times it, and the fixed cost of a submit and of a readback (browser only)
  --variants        instead of the benchmark: every matmul variant's GFLOP/s on the benchmark's
                    shapes, and the autotuner's choice (browser only)
  --first-step      instead of the benchmark: ours on WebGPU, time from MLP.create to the end of
                    the first one-batch fit of each training workload, each repetition on a new
                    device, with its parts; --reps repetitions, the median reported (browser only);
                    --backends=a,b (with --first-step) times these of webgpu, auto, wasm instead
                    ('auto' as created without a hint: it decides at the first fit)
  --stream          with --node (npm run bench:stream): MNIST as float32 and as bytes in memory
                    and streamed from disk, then --rows=N synthetic byte rows streamed (default 1000000)`;

interface Options {
  node: boolean;
  /** The page is served with COOP and COEP headers (cross-origin isolated). */
  isolated: boolean;
  workloads: string[];
  systems: System[];
  reps: number;
  scale: number;
  out: string;
  /** Whether --out (or BENCH_OUT) was given; else `out` is the mode's default. */
  outGiven: boolean;
  profile: string | null;
  /** --first-step: the backends timed (webgpu unless --backends). */
  backends: FirstStepBackend[];
}

function parse(argv: string[]): Options | string {
  const get = (name: string, env: string): string | undefined => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    return hit ? hit.slice(name.length + 3) : process.env[env] || undefined;
  };
  for (const a of argv) {
    if (a === '--help' || a === '-h') return USAGE_TEXT;
    if (!/^--(node|isolated|quick|variants|stream|first-step|(workloads|systems|reps|scale|out|profile|rows|backends)=.+)$/.test(a)) return `unknown option ${a}\n\n${USAGE_TEXT}`;
  }
  const node = argv.includes('--node');
  const isolated = argv.includes('--isolated');
  if (node && isolated) return '--isolated is for the browser page; Node has SharedArrayBuffer always';
  const quick = argv.includes('--quick');
  const names = workloads().map((w) => w.name);
  const wl = (get('workloads', 'BENCH_WORKLOADS') ?? names.join(',')).split(',').filter(Boolean);
  const badW = wl.find((w) => !names.includes(w));
  if (badW) return `unknown workload ${badW}; choose from ${names.join(', ')}`;
  const sys = (get('systems', 'BENCH_SYSTEMS') ?? SYSTEMS.join(',')).split(',').filter(Boolean) as System[];
  const badS = sys.find((s) => !SYSTEMS.includes(s));
  if (badS) return `unknown system ${badS}; choose from ${SYSTEMS.join(', ')}`;
  const reps = Number(get('reps', 'BENCH_REPS') ?? (quick ? 2 : 3));
  const scale = Number(get('scale', 'BENCH_SCALE') ?? (quick ? 0.25 : 1));
  if (!Number.isInteger(reps) || reps < 1) return `--reps must be a positive integer, got ${reps}`;
  if (!(scale > 0 && scale <= 4)) return `--scale must be in (0, 4], got ${scale}`;
  const outGiven = get('out', 'BENCH_OUT') !== undefined;
  const out = resolve(repoRoot, get('out', 'BENCH_OUT') ?? (node ? 'bench/results-node.json' : isolated ? 'bench/results-isolated.json' : 'bench/results.json'));
  const profile = get('profile', 'BENCH_PROFILE') ?? null;
  if (profile && !names.includes(profile)) return `unknown workload ${profile}; choose from ${names.join(', ')}`;
  const backends = (get('backends', 'BENCH_BACKENDS') ?? 'webgpu').split(',').filter(Boolean) as FirstStepBackend[];
  const badB = backends.find((b) => !FIRST_STEP_BACKENDS.includes(b));
  if (badB) return `unknown backend ${badB} for --first-step; choose from ${FIRST_STEP_BACKENDS.join(', ')}`;
  return { node, isolated, profile, workloads: wl, systems: sys, reps, scale, out, outGiven, backends };
}

/** How a system is prepared and timed in this mode. */
interface Runner {
  prepare(w: Workload, system: System): Promise<SystemInfo>;
  /** Every matmul variant on the workload's shape, and the tuner's choice. */
  variants(w: Workload): Promise<ShapeReport[]>;
  rep(w: Workload, system: System): Promise<number>;
  /** What the system reports after its repetitions (the losses it trained to). */
  info(w: Workload, system: System): Promise<SystemInfo>;
  release(w: Workload, system: System): Promise<void>;
  close(): Promise<void>;
}

function browserRunner(session: BrowserSession, scale: number): Runner {
  const PAGE = '/bench/page.ts';
  return {
    prepare: (w, s) => session.run<SystemInfo>(PAGE, 'prepare', w.name, scale, s),
    variants: async (w) => (await session.run<{ report: ShapeReport[] }>(PAGE, 'variants', w.name, scale)).report,
    rep: (w, s) => session.run<number>(PAGE, 'rep', w.name, s),
    info: (w, s) => session.run<SystemInfo>(PAGE, 'info', w.name, s),
    release: (w, s) => session.run(PAGE, 'release', w.name, s),
    close: () => session.close(),
  };
}

async function nodeRunner(): Promise<{ runner: Runner; adapter: string; matmulKernel: string; tfjsVersion: () => Promise<string> }> {
  const { gpu, probe } = await dawn();
  const device = probe.device;
  if (!device) {
    throw new Error(`Dawn found no usable WebGPU adapter (${probe.description}). On Linux it needs a Vulkan driver; without a GPU, point VK_ICD_FILENAMES at SwiftShader (e.g. /usr/lib/chromium/vk_swiftshader_icd.json).`);
  }
  const prepared = new Map<string, Prepared>();
  const key = (w: Workload, s: System) => `${w.name}/${s}`;
  // TensorFlow.js's webgpu backend looks for navigator.gpu when it is imported
  if (!(globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  const fresh = async () => {
    const p = await requestGpu({ gpu });
    if (!p.device) throw new Error(p.description);
    return p.device;
  };
  return {
    adapter: probe.description,
    matmulKernel: traitsOf(device).subgroups ? 'variants (subgroups available)' : 'variants',
    tfjsVersion: async () => (await import('./tfjs')).tfjsVersion(),
    runner: {
      prepare: async (w, s) => {
        const p = await prepareSystem(w, s, async () => device, fresh);
        prepared.set(key(w, s), p);
        return p.info ?? {};
      },
      variants: async (w) => (await (await import('./variants')).variantTable(1, device, w.name)).report,
      rep: (w, s) => prepared.get(key(w, s))!.rep(),
      info: async (w, s) => prepared.get(key(w, s))?.info ?? {},
      release: async (w, s) => {
        prepared.get(key(w, s))?.dispose();
        prepared.delete(key(w, s));
      },
      close: async () => device.destroy(),
    },
  };
}

/** The installed jax-js version (its package does not export one). */
function jaxVersion(): string {
  return (JSON.parse(readFileSync(resolve(repoRoot, 'node_modules/@jax-js/jax/package.json'), 'utf8')) as { version: string }).version;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Prepares, times (repetitions interleaved within each group of systems) and releases every
 * system on workload `w`; a system that fails is reported with its error and the others go on.
 */
async function runWorkload(w: Workload, runner: Runner, opts: Options, log: (s: string) => void): Promise<WorkloadResult> {
  const work = repetitionWork(w);
  const entry: WorkloadResult = { workload: w, systems: {}, info: {}, failures: {}, ratios: {} };
  const failed = (s: System, stage: string, e: unknown) => {
    const message = `${stage}: ${e instanceof Error ? e.message : String(e)}`.split('\n')[0];
    entry.failures[s] = message;
    log(`${w.name}: ${s} failed, ${message}`);
  };
  for (const group of groupsFor(w, opts.systems)) {
    for (const s of group) {
      log(`${w.name}: preparing ${s} (time to the first step, build, upload, warm-up)`);
      await runner.prepare(w, s).then((info) => (entry.info[s] = info), (e) => failed(s, 'prepare', e));
    }
    const times: Record<string, number[]> = Object.fromEntries(group.map((s) => [s, []]));
    for (let r = 0; r < opts.reps; r++) {
      for (const s of group.filter((x) => !entry.failures[x])) {
        try {
          const t = await runner.rep(w, s);
          times[s].push(t);
          log(`${w.name}: ${s} repetition ${r + 1}/${opts.reps}: ${t.toFixed(3)} s`);
        } catch (e) {
          failed(s, `repetition ${r + 1}`, e);
        }
      }
    }
    for (const s of group) {
      if (!entry.failures[s]) await runner.info(w, s).then((info) => (entry.info[s] = info), () => {});
      await runner.release(w, s).catch(() => {});
      if (entry.failures[s]) continue;
      const m = median(times[s]);
      entry.systems[s] =
        w.kind === 'matmul'
          ? { seconds: times[s], medianSeconds: m, rate: work.flops / m / 1e9, unit: 'GFLOP/s' }
          : { seconds: times[s], medianSeconds: m, rate: work.samples / m, unit: 'samples/s', stepsPerSecond: work.steps / m };
    }
  }
  entry.ratios = ratiosOf(entry);
  if (w.kind === 'matmul' && opts.systems.includes('ours-webgpu')) {
    log(`${w.name}: timing every matmul variant, and the autotuner (tune 'full')`);
    entry.variants = await runner.variants(w).catch((e) => (log(`${w.name}: variant table failed, ${(e as Error).message}`), undefined));
  }
  return entry;
}

export async function main(argv: string[]): Promise<number> {
  const opts = parse(argv);
  if (typeof opts === 'string') {
    console.error(opts);
    return opts === USAGE_TEXT ? 0 : 2;
  }
  if (opts.profile) return profileMain(opts.profile, opts.scale);
  if (argv.includes('--stream')) return (await import('./stream')).streamMain(argv);
  if (argv.includes('--variants')) return variantsMain(opts.scale);
  if (argv.includes('--first-step')) return firstStepMain(opts);
  const started = new Date();
  const log = (s: string) => process.stderr.write(`[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0)}s] ${s}\n`);
  let runner: Runner;
  let adapter: string;
  let environment: Record<string, string>;
  if (opts.node) {
    const r = await nodeRunner();
    runner = r.runner;
    adapter = r.adapter;
    environment = { runtime: `Node ${process.version}, Dawn (npm package webgpu)`, matmulKernel: r.matmulKernel };
    if (opts.systems.some((s) => s.startsWith('tfjs-'))) environment.tfjs = await r.tfjsVersion();
  } else {
    // cross-origin isolation: what a page must send for SharedArrayBuffer (and so worker threads sharing wasm memory)
    const headers = opts.isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : undefined;
    const session = await openBrowser('/test/browser/index.html', { prebundle: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm'], headers });
    runner = browserRunner(session, opts.scale);
    const d = await session.run<{ adapter: string; tfjs: string; userAgent: string; matmulKernel: string; page: string }>('/bench/page.ts', 'describe');
    adapter = d.adapter;
    environment = { runtime: d.userAgent, tfjs: d.tfjs, matmulKernel: d.matmulKernel, page: d.page };
  }
  if (opts.systems.some((s) => s.startsWith('jax-'))) environment.jax = jaxVersion();
  log(`adapter: ${adapter}; ${environment.runtime}${environment.tfjs ? `; TensorFlow.js ${environment.tfjs}` : ''}${environment.page ? `; page ${environment.page}` : ''}`);
  const results: WorkloadResult[] = [];
  try {
    for (const w of workloads(opts.scale).filter((x) => opts.workloads.includes(x.name))) results.push(await runWorkload(w, runner, opts, log));
  } finally {
    await runner.close();
  }

  const lines = reportLines(results, [
    `webgpu-mlp benchmark, ${started.toISOString()}`,
    `adapter: ${adapter}; our matmul kernels: ${environment.matmulKernel}`,
    `runtime: ${environment.runtime}${environment.tfjs ? `; TensorFlow.js ${environment.tfjs}` : ''}${environment.jax ? `; jax-js ${environment.jax}` : ''}`,
    ...(environment.page ? [`page: ${environment.page}`] : []),
    `median of ${opts.reps} repetitions after a warm-up; scale ${opts.scale}; GFLOP/s counts 2·M·K·N per product (compare with the adapter's FP32 peak)`,
  ]);
  console.log(lines.join('\n'));

  const json = {
    date: started.toISOString(),
    adapter,
    environment,
    command: `npm run ${opts.node ? 'bench:node' : 'bench'} -- ${argv.filter((a) => a !== '--node').join(' ')}`.trim().replace(/ --$/, ''),
    options: { reps: opts.reps, scale: opts.scale, workloads: opts.workloads, systems: opts.systems },
    results: results.map((r) => ({ ...r.workload, work: repetitionWork(r.workload), systems: r.systems, info: r.info, failures: r.failures, ratios: r.ratios, variants: r.variants })),
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(json, null, 2) + '\n');
  log(`wrote ${opts.out}`);
  return 0;
}

async function profileMain(name: string, scale: number): Promise<number> {
  const session = await openBrowser('/test/browser/index.html');
  try {
    const r = await session.run<{ floor: ProfileRow[]; step: ProfileRow[]; source: string }>('/bench/profile.ts', 'profile', name, scale);
    console.log(`profile of ${name} on ${session.adapter}, ${new Date().toISOString()} (launch times: ${r.source})`);
    const width = Math.max(...[...r.floor, ...r.step].map((x) => x.label.length));
    for (const x of [...r.floor, ...r.step]) console.log(`${x.label.padEnd(width)}  ${x.workgroups.padStart(9)}  ${x.ms.toFixed(3).padStart(9)} ms`);
    return 0;
  } finally {
    await session.close();
  }
}

async function variantsMain(scale: number): Promise<number> {
  const session = await openBrowser('/test/browser/index.html');
  try {
    const { lines } = await session.run<{ lines: string[] }>('/bench/variants.ts', 'variantTable', scale);
    console.log(lines.join('\n'));
    return 0;
  } finally {
    await session.close();
  }
}

/**
 * Time to the first step of each training workload (ours on WebGPU, a new device each time):
 * repetitions interleaved over the workloads, medians printed, every repetition in the JSON
 * (bench/results-first-step.json unless --out).
 */
async function firstStepMain(opts: Options): Promise<number> {
  const started = new Date();
  const session = await openBrowser('/test/browser/index.html');
  const workloadNames = workloads().filter((w) => w.kind === 'train' && opts.workloads.includes(w.name)).map((w) => w.name);
  // one row per workload (and backend, when --backends names other than webgpu alone)
  const plain = opts.backends.length === 1 && opts.backends[0] === 'webgpu';
  const rows = workloadNames.flatMap((w) => opts.backends.map((b) => ({ w, b, n: plain ? w : `${w} ${b}` })));
  const names = rows.map((r) => r.n);
  const runs: Record<string, FirstStep[]> = Object.fromEntries(names.map((n) => [n, []]));
  try {
    await session.run('/bench/first-step.ts', 'firstStepOf', 'xor'); // warm the page (module loading, first device)
    for (let r = 0; r < opts.reps; r++) {
      for (const row of rows) runs[row.n].push(await session.run<FirstStep>('/bench/first-step.ts', 'firstStepOf', row.w, row.b));
    }
    const mid = (n: string, k: keyof FirstStep) => median(runs[n].map((x) => Number(x[k] ?? NaN)));
    const lines = [
      `time to the first step, ours on ${opts.backends.join(', ')} (a new device each time), ${started.toISOString()}`,
      `adapter: ${session.adapter}; median of ${opts.reps} repetitions (seconds)`,
      ...table(['workload', 'create → first step', 'of which create', 'same fit again', 'longest compile', 'pipelines', 'every repetition'],
        names.map((n) => [n, mid(n, 'seconds').toFixed(2), mid(n, 'createSeconds').toFixed(2), mid(n, 'againSeconds').toFixed(2), mid(n, 'compileSeconds').toFixed(2), String(mid(n, 'pipelines')), runs[n].map((x) => x.seconds.toFixed(2)).join(' ')])),
    ];
    console.log(lines.join('\n'));
    const out = opts.outGiven ? opts.out : resolve(repoRoot, 'bench/results-first-step.json');
    const all = workloads().filter((w) => w.kind === 'train').length;
    const command = `npm run bench -- --first-step --reps=${opts.reps}${workloadNames.length < all ? ` --workloads=${workloadNames.join(',')}` : ''}${plain ? '' : ` --backends=${opts.backends.join(',')}`}${opts.outGiven ? ` --out=${relative(repoRoot, out)}` : ''}`;
    writeFileSync(out, JSON.stringify({ date: started.toISOString(), adapter: session.adapter, command, runs }, null, 2) + '\n');
    console.error(`wrote ${out}`);
    return 0;
  } finally {
    await session.close();
  }
}
