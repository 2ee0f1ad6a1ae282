import { type MatmulModes, type MatmulShape, type MatmulVariantId, MATMUL_VARIANT_IDS, isCompact, shapeKey } from '../kernels/matmul-variants';

/**
 * How much the matmul autotuner may measure (the `tune` option of `MLP.create`): `'off'` nothing
 * (each shape runs its default variant), `'fast'` (default) cached choices, else a few candidates
 * within `FAST_BUDGET_MS`, `'full'` every variant that applies (see `tuneRequests`).
 */
export type TuneMode = 'off' | 'fast' | 'full';

/** The tuning modes, for validation. */
export const TUNE_MODES: readonly TuneMode[] = ['off', 'fast', 'full'];

/** Extra milliseconds `'fast'` may spend per tuning (compiles it would not need otherwise, and timing). */
export const FAST_BUDGET_MS = 250;
/** Candidates `'fast'` considers per shape (the default first). */
const FAST_CANDIDATES = 3;
/**
 * `'full'` times the fastest few candidates again, interleaved, this many rounds, and keeps each
 * one's least time: a timing disturbed by other work (which only ever adds time) then no longer
 * decides the choice.
 */
const REFINE_ROUNDS = 2;
const REFINE_CANDIDATES = 3;
/**
 * Another variant replaces the default only when it is at least this much faster (a fraction of
 * the default's time): a smaller difference is within what timings vary, and switching can cost
 * a compile the default would not (small products share the default's pipeline).
 */
export const MIN_GAIN = 0.05;

/** One candidate as measured: milliseconds per launch, and how long its pipeline took to compile. */
export interface CandidateTiming {
  variant: MatmulVariantId;
  ms: number;
  compileMs: number;
}

/** The variant a shape runs, how it was decided, and what was measured for it. */
export interface ShapeChoice {
  shape: MatmulShape;
  variant: MatmulVariantId;
  /** `measured`: timed now; `cache`: timed before on this adapter (memory or persistent store); `default`: not measured. */
  source: 'measured' | 'cache' | 'default';
  /** The candidates timed, fastest first (empty unless measured). */
  timings: CandidateTiming[];
  /** Every applicable variant was tried (`'full'`; one that failed to compile or run counts as tried). */
  complete: boolean;
}

/** What one product to tune looks like: its shape and the operand modes its launch uses. */
export interface TuneRequest {
  shape: MatmulShape;
  /** TRANS_A, TRANS_B, EPILOGUE, ACTIVATION, HAS_BIAS of the launch (candidates compile with these). */
  modes: MatmulModes;
}

/**
 * What the tuner needs from the device, injected so the choosing logic can be tested with given
 * timings: the clock, the candidates in the order to try them, compiling one (returns its
 * milliseconds) and timing one (returns milliseconds per launch).
 */
export interface TunerDeps {
  now(): number;
  /** Variants that apply to the shape, the default first. */
  candidates(shape: MatmulShape): MatmulVariantId[];
  /** True when the candidate's pipeline for this request is already compiled. */
  isCompiled(variant: MatmulVariantId, req: TuneRequest): boolean;
  compile(variant: MatmulVariantId, req: TuneRequest): Promise<number>;
  time(variant: MatmulVariantId, req: TuneRequest): Promise<number>;
  /**
   * Throws when tuning must stop (the model was disposed or its device lost): called before each
   * candidate, and what it throws ends the tuning instead of counting as a failed candidate.
   */
  checkAlive?(): void;
}

/** The choices made on one device (in memory), and what compiling costs there. */
export class DeviceTuning {
  readonly choices = new Map<string, ShapeChoice>();
  /** Compile times seen on this device (ms), per variant: the estimate for the next compile. */
  private readonly compiles = new Map<MatmulVariantId, number[]>();

  /**
   * The estimated milliseconds to compile one more pipeline of `variant`, from the compiles seen
   * on this device (`fallback` when none were).
   */
  compileEstimate(variant: MatmulVariantId, fallback = 50): number {
    const own = this.compiles.get(variant);
    if (own?.length) return own.reduce((a, b) => a + b, 0) / own.length;
    // a variant not compiled yet: twice the slowest compile seen (variants differ several-fold in
    // compile time, so a cheap one says little about the others)
    const all = [...this.compiles.values()].flat();
    return all.length ? 2 * Math.max(...all) : fallback;
  }

  noteCompile(variant: MatmulVariantId, ms: number): void {
    const own = this.compiles.get(variant) ?? [];
    own.push(ms);
    this.compiles.set(variant, own);
  }
}

const perDevice = new WeakMap<GPUDevice, DeviceTuning>();

/** The tuning state of `device` (created on first use). */
export function tuningOf(device: GPUDevice): DeviceTuning {
  let t = perDevice.get(device);
  if (!t) {
    t = new DeviceTuning();
    perDevice.set(device, t);
  }
  return t;
}

/**
 * The variant chosen for `shape` on `device`, if one was: for the exact shape, else for a shape
 * of the same form, N and K (another batch size of the same layer, e.g. inference chunks), else null.
 *
 * @example
 * tunedVariant(device, { M: 64, N: 128, K: 784, form: 'AB' }); // 'subgroups-8x8' after tuning
 */
export function tunedVariant(device: GPUDevice, shape: MatmulShape): MatmulVariantId | null {
  const t = perDevice.get(device);
  if (!t) return null;
  const exact = t.choices.get(shapeKey(shape));
  if (exact) return exact.variant;
  for (const c of t.choices.values()) {
    if (c.shape.form === shape.form && c.shape.N === shape.N && c.shape.K === shape.K && c.source !== 'default') return c.variant;
  }
  return null;
}

/**
 * The fastest of `timings` (the first of equals, so a default listed first wins ties).
 *
 * @example
 * fastest([{ variant: 'tiled', ms: 2, compileMs: 0 }, { variant: 'vec4-64x64', ms: 1, compileMs: 0 }]).variant; // 'vec4-64x64'
 */
export function fastest(timings: CandidateTiming[]): CandidateTiming {
  if (!timings.length) throw new Error('fastest() needs at least one timing');
  return timings.reduce((best, t) => (t.ms < best.ms ? t : best));
}

/**
 * The variant to run from what was measured: the fastest, unless the default (`first`) was timed
 * and is within {@link MIN_GAIN} of it.
 *
 * @example
 * choose([{ variant: 'blocked-8x8', ms: 1, compileMs: 0 }, { variant: 'subgroups-8x8', ms: 0.98, compileMs: 0 }], 'blocked-8x8'); // 'blocked-8x8'
 */
export function choose(timings: CandidateTiming[], first: MatmulVariantId): MatmulVariantId {
  const best = fastest(timings);
  const byDefault = timings.find((t) => t.variant === first);
  return byDefault && byDefault.ms <= best.ms * (1 + MIN_GAIN) ? first : best.variant;
}

/**
 * Decides a variant for each request not decided before (`state.choices`), measuring within what
 * `mode` allows; returns the choices for the requests (duplicate shapes once).
 *
 * @example
 * const choices = await tuneRequests(tuningOf(device), requests, 'fast', deviceTunerDeps(device, traits, cache, buffers));
 */
export async function tuneRequests(state: DeviceTuning, requests: TuneRequest[], mode: TuneMode, deps: TunerDeps): Promise<ShapeChoice[]> {
  // 'full' times every candidate; 'fast' times the default (compiled anyway, for training) and
  // further candidates while their estimated extra cost fits FAST_BUDGET_MS, except for small and
  // thin products (isCompact: compiling, not the variant, is most of what they cost, and on
  // software adapters their default, 4×4 blocks, is one pipeline for all of them), and on
  // adapters that compile slowly that is often none; 'off' measures nothing. A candidate that
  // fails to compile or run is skipped; another replaces the default only when it is at least
  // MIN_GAIN faster.
  let spent = 0; // extra cost so far: compiles training would not need, and timing
  const out = new Map<string, ShapeChoice>();
  const decided = (key: string) => {
    const known = state.choices.get(key);
    return known && (mode === 'off' || known.complete || (mode === 'fast' && known.source !== 'default')) ? known : null;
  };
  if (mode !== 'off') await compileDefaults(state, requests.filter((r) => !decided(shapeKey(r.shape))), deps);
  for (const req of requests) {
    const key = shapeKey(req.shape);
    if (out.has(key)) continue;
    const known = decided(key);
    if (known) {
      out.set(key, known);
      continue;
    }
    const candidates = deps.candidates(req.shape);
    let choice: ShapeChoice = { shape: req.shape, variant: candidates[0], source: 'default', timings: [], complete: candidates.length === 1 };
    if (mode !== 'off' && candidates.length > 1 && !(mode === 'fast' && isCompact(req.shape))) {
      const tried = mode === 'fast' ? candidates.slice(0, FAST_CANDIDATES) : candidates;
      const r = await measureCandidates(state, req, tried, mode === 'fast' ? FAST_BUDGET_MS - spent : Infinity, deps);
      spent += r.extra;
      if (mode === 'full' && r.timings.length > 1) await refine(r.timings, req, deps);
      if (r.timings.length > 1 || (r.defaultFailed && r.timings.length > 0)) {
        const timings = [...r.timings].sort((x, y) => x.ms - y.ms);
        choice = { shape: req.shape, variant: choose(r.timings, candidates[0]), source: 'measured', timings, complete: r.complete && tried.length === candidates.length };
      }
    }
    state.choices.set(key, choice);
    out.set(key, choice);
  }
  return [...out.values()];
}

/**
 * Times the {@link REFINE_CANDIDATES} fastest of `timings` again, one after another for
 * {@link REFINE_ROUNDS} rounds, lowering each one's time to the least seen (in place).
 */
async function refine(timings: CandidateTiming[], req: TuneRequest, deps: TunerDeps): Promise<void> {
  const top = [...timings].sort((x, y) => x.ms - y.ms).slice(0, REFINE_CANDIDATES);
  for (let round = 0; round < REFINE_ROUNDS; round++) {
    for (const t of top) {
      deps.checkAlive?.();
      try {
        t.ms = Math.min(t.ms, await deps.time(t.variant, req));
      } catch {
        deps.checkAlive?.(); // the model went away: stop; else keep what was measured
      }
    }
  }
}

/**
 * Compiles the default variant of each request, all in parallel (training needs them whatever
 * the tuner finds, and their compile times tell what trying another variant would cost).
 */
async function compileDefaults(state: DeviceTuning, requests: TuneRequest[], deps: TunerDeps): Promise<void> {
  const firsts = requests.map((req) => ({ req, variant: deps.candidates(req.shape)[0] })).filter(({ req, variant }) => !deps.isCompiled(variant, req));
  const ms = await Promise.all(firsts.map(({ req, variant }) => deps.compile(variant, req).catch(() => null)));
  ms.forEach((m, i) => m !== null && state.noteCompile(firsts[i].variant, m));
}

/**
 * Compiles and times the candidates of one request in order while the estimated extra cost of
 * the next one fits `budget` ms. The first candidate (the default) is compiled regardless, since
 * the launch needs it, and its compile time is not extra cost; it is timed only once a second
 * candidate is affordable. When the default fails, candidates are tried until one runs, whatever
 * the budget. Returns the timings, the extra cost and whether the default failed.
 */
async function measureCandidates(
  state: DeviceTuning, req: TuneRequest, candidates: MatmulVariantId[], budget: number, deps: TunerDeps,
): Promise<{ timings: CandidateTiming[]; extra: number; defaultFailed: boolean; complete: boolean }> {
  const timings: CandidateTiming[] = [];
  let extra = 0;
  let timeEstimate = 0;
  // estimated extra cost of candidate i: its compile (unless done) and timing it (and the default)
  const cost = (i: number) => (deps.isCompiled(candidates[i], req) ? 0 : state.compileEstimate(candidates[i])) + (i === 1 ? 2 : 1) * timeEstimate;
  let defaultFailed = false;
  let attempted = 0;
  for (let i = 0; i < candidates.length; i++) {
    const variant = candidates[i];
    // past the budget, stop, unless the default failed and nothing runs yet
    if (i > 0 && extra + cost(i) > budget && !(defaultFailed && timings.length === 0)) break;
    deps.checkAlive?.();
    attempted++;
    let compileMs = 0;
    try {
      if (!deps.isCompiled(variant, req)) {
        compileMs = await deps.compile(variant, req);
        state.noteCompile(variant, compileMs);
        if (i > 0) extra += compileMs;
      }
      if (i === 0 && (candidates.length < 2 || cost(1) > budget)) break;
      const t0 = deps.now();
      const ms = await deps.time(variant, req);
      const took = deps.now() - t0;
      extra += took;
      timeEstimate = Math.max(timeEstimate, took);
      timings.push({ variant, ms, compileMs });
    } catch {
      deps.checkAlive?.(); // a candidate that failed because the model went away ends the tuning
      // a candidate that does not compile or run on this device is left out
      if (i === 0) defaultFailed = true;
    }
  }
  return { timings, extra, defaultFailed, complete: attempted === candidates.length };
}

/** Every variant name, for validating stored choices. */
export const isVariantId = (v: unknown): v is MatmulVariantId => typeof v === 'string' && (MATMUL_VARIANT_IDS as string[]).includes(v);
