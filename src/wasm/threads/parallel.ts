/**
 * Matrix products split across threads inside the generated module. The calling thread (the one
 * running `train`, `infer` or `evaluate`) writes a job — the product's number and its eight
 * arguments — into the sync block, bumps the job counter and wakes the workers, computes part 0
 * itself, then spins until every worker has counted itself done. Each worker runs the exported
 * `work(t)`: it waits for the counter to move, computes part t, counts itself done, and waits
 * again. Why wasm atomics and not JS Atomics: the whole step is one wasm call (no crossing into
 * JS per product), so the hand-off has to happen in wasm; a JS import per product would add a
 * crossing to each of the step's products. Workers spin a while before sleeping in
 * memory.atomic.wait32 because the next product follows within microseconds (the caller spins
 * and never sleeps: a browser's main thread may not wait).
 */
import { type Bytes, seq } from '../emit/encoding';
import { type Local, ValType, block, br, brIf, call, get, i32, ifThen, loop, ret, set } from '../emit/instructions';
import type { ModuleBuilder } from '../emit/module';
import { atomic, drop, trap } from '../emit/atomics';
import { MATMUL_PARAMS, type MatmulSpec, addMatmul } from '../kernels/matmul';
import { EXIT_JOB, SYNC, WORKER_KILL, partScratchBytes, partition } from './partition';

/**
 * Products with fewer multiply-adds than this run on the calling thread alone: handing out a job
 * and waking a worker costs microseconds, and 2¹⁷ multiply-adds take a few microseconds at the
 * ~45 GFLOP/s one core reaches (docs/performance.md). Chosen so, not tuned by measurement.
 */
export const MIN_PARALLEL_MACS = 1 << 17;
/** Polls of the job counter a worker makes before it sleeps. */
const SPIN = 1 << 16;

/** One split product: its number, cut and part functions. */
interface Split {
  id: number;
  spec: MatmulSpec;
  width: number;
  parts: number;
  part: number;
  last: number;
}

/** Makes a module's matrix products, splitting those wide enough across `threads` threads (see the file's comment). */
export class ParallelProducts {
  private readonly splits: Split[] = [];
  private readonly runPart: number;
  private readonly partScratch: number;

  /**
   * `sync`: the sync block's address; `columns`: the N of every product the module will have (for
   * the per-thread scratch); `minMacs`: products smaller than this run alone (tests split every product with 0).
   */
  constructor(private readonly m: ModuleBuilder, private readonly threads: number, private readonly sync: number, columns: number[], private readonly minMacs = MIN_PARALLEL_MACS) {
    this.runPart = m.declare('runPart', [ValType.i32], []);
    this.partScratch = partScratchBytes(columns, threads);
  }

  private word(offset: number): Bytes {
    return i32.c(this.sync + offset);
  }

  /** Nonzero once a worker has died. */
  get failed(): Bytes {
    return atomic.load(this.word(SYNC.failed));
  }

  /**
   * Adds product `name` for `spec`; returns a function with the product's parameters that splits
   * it when it is cut into several parts and large enough, else computes it on the calling thread.
   *
   * @example
   * const fwd = products.add('forward0', spec); // call(fwd, a, b, c, rows, scratch, bias, 0, 0)
   */
  add(name: string, spec: MatmulSpec): number {
    const full = addMatmul(this.m, name, spec);
    const cut = partition(spec.N, this.threads);
    if (cut.parts < 2) return full;
    const id = this.splits.length;
    const part = addMatmul(this.m, `${name}.part`, { ...spec, N: cut.width });
    const last = cut.last === cut.width ? part : addMatmul(this.m, `${name}.last`, { ...spec, N: cut.last });
    this.splits.push({ id, spec, width: cut.width, parts: cut.parts, part, last });
    const fixed = (spec.M ?? spec.K ?? 1) * spec.N;
    const minDim = Math.ceil(this.minMacs / fixed);
    return this.m.add(`${name}.split`, MATMUL_PARAMS, [], (f) => {
      const p = MATMUL_PARAMS.map((_, i) => f.param(i));
      const alone = i32.or(
        i32.or(i32.ne(atomic.load(this.word(SYNC.ready)), i32.c(this.threads - 1)), this.failed),
        i32.ltS(get(p[3]), i32.c(minDim)),
      );
      return seq(
        ifThen(alone, seq(call(full, ...p.map(get)), ret())),
        ...p.map((l, i) => i32.store(this.word(SYNC.job + 4 + 4 * i), get(l))),
        i32.store(this.word(SYNC.job), i32.c(id)),
        atomic.store(this.word(SYNC.done), i32.c(0)),
        drop(atomic.add(this.word(SYNC.gen), i32.c(1))),
        drop(atomic.notify(this.word(SYNC.gen), i32.c(this.threads - 1))),
        call(this.runPart, i32.c(0)),
        block(loop(
          brIf(1, i32.eq(atomic.load(this.word(SYNC.done)), i32.c(this.threads - 1))),
          brIf(1, this.failed),
          br(0),
        )),
      );
    });
  }

  /** Part t of the current job: its columns of C, from its columns of B, with its own scratch. */
  private part(t: Local, s: Split): Bytes {
    const arg = (i: number) => i32.load(this.word(SYNC.job + 4 + 4 * i));
    const off = i32.mul(get(t), i32.c(s.width * 4));
    const bOff = s.spec.b === 'cols' ? i32.mul(get(t), i32.c(s.width * s.spec.ldb * 4)) : off;
    const args = [
      arg(0), i32.add(arg(1), bOff), i32.add(arg(2), off), arg(3),
      i32.add(arg(4), i32.mul(get(t), i32.c(this.partScratch))),
      i32.add(arg(5), off), i32.add(arg(6), off), i32.add(arg(7), off),
    ];
    return ifThen(
      i32.ltS(get(t), i32.c(s.parts)),
      ifThen(i32.eq(get(t), i32.c(s.parts - 1)), call(s.last, ...args), call(s.part, ...args)),
    );
  }

  /** Defines runPart and adds the exported `work(t)`, the workers' loop; call after the last {@link add}. */
  finish(): void {
    this.m.define(this.runPart, (f) => {
      const t = f.param(0);
      const id = f.local(ValType.i32);
      return seq(
        set(id, i32.load(this.word(SYNC.job))),
        ...this.splits.map((s) => ifThen(i32.eq(get(id), i32.c(s.id)), this.part(t, s))),
      );
    });
    this.m.add('work', [ValType.i32], [], (f) => {
      const t = f.param(0);
      const [seen, spin] = [f.local(ValType.i32), f.local(ValType.i32)];
      const gen = this.word(SYNC.gen);
      const moved = i32.ne(atomic.load(gen), get(seen));
      return seq(
        // the caller hands out jobs only once every worker counts itself ready, so no job can come between these two
        set(seen, atomic.load(gen)),
        drop(atomic.add(this.word(SYNC.ready), i32.c(1))),
        loop(
          set(spin, i32.c(SPIN)),
          block(loop(brIf(1, moved), set(spin, i32.sub(get(spin), i32.c(1))), brIf(0, get(spin)))),
          block(loop(brIf(1, moved), drop(atomic.wait(gen, get(seen))), br(0))),
          set(seen, i32.add(get(seen), i32.c(1))),
          ifThen(i32.eq(atomic.load(i32.add(this.word(SYNC.worker), i32.mul(get(t), i32.c(4)))), i32.c(WORKER_KILL)), trap),
          ifThen(i32.eq(i32.load(this.word(SYNC.job)), i32.c(EXIT_JOB)), ret()),
          call(this.runPart, get(t)),
          drop(atomic.add(this.word(SYNC.done), i32.c(1))),
          br(0),
        ),
      );
    }, true);
  }

  /** Scratch bytes the threads' parts need together (thread t's at scratch + t·share). */
  get scratchBytes(): number {
    return this.threads * this.partScratch;
  }
}
