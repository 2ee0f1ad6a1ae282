/**
 * `profile` on the wasm backend: the step's stages timed by the wall clock. The profiling build of
 * the network's module is the same code with a call of the imported env.mark(stage) after each
 * stage (src/wasm/kernels/step.ts), so what is timed is what trains; the host notes the time of
 * each mark. Parameters, optimizer slots and the rollback state are put back afterwards.
 */
import type { NetSpec, ResolvedOptimizer } from '../core/config';
import type { Dense } from '../core/data';
import type { StepProfile } from '../core/profile';
import type { EpochPlan } from '../core/trainer';
import { CTRL } from './control';
import type { Held } from './holdings';
import type { WasmMemory } from './memory';
import { compileProgram, instantiate } from './program';
import { writeOptimizer, writePlans } from './settings';
import type { TrainState } from './training';
import { useDataSet } from './transfer';

/** What profiling needs from the backend. */
export interface ProfileHost {
  net: NetSpec;
  mem: WasmMemory;
  held: Held;
  state: TrainState;
  /** Makes room for (and zeroes, when new) the optimizer's slots; returns their count. */
  slots(opt: ResolvedOptimizer): number;
}

/**
 * Runs `steps` steps of `plan` over `x`, `y` (its batches in turn) and returns each stage's mean
 * milliseconds per step.
 *
 * @example
 * const p = await profileSteps(host, x, y, plan, 10); // p.launches: forward 0, dW 0, update, …
 */
export async function profileSteps(host: ProfileHost, x: Dense, y: Dense, plan: EpochPlan, steps: number): Promise<StepProfile> {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`profile steps must be a positive integer, got ${steps}`);
  const { mem, held, state } = host;
  const program = await compileProgram(host.net, true, mem.shape.threads);
  const times = new Float64Array(program.stages.length);
  let last = 0;
  const step = await instantiate(program, mem.memory, (stage) => {
    const t = performance.now();
    times[stage] += t - last;
    last = t;
  });
  const batchSize = Math.min(plan.batchSize, x.rows);
  const batches = Math.ceil(x.rows / batchSize);
  held.update((h) => {
    h.data.profile = { x, y, w: null, batchSize };
    h.batches = Math.max(h.batches, batches);
    h.orderRows = Math.max(h.orderRows, x.rows);
  }, ['profile']);
  const v = () => mem.view();
  const cur = v().getUint32(CTRL.cur, true);
  const saved = { slotsOf: [...state.slotsOf], canUndo: state.canUndo, set: mem.f32(mem.layout.sets[cur], mem.shape.paramFloats).slice() };
  try {
    const k = host.slots(plan.optimizer);
    const slots = mem.f32(mem.layout.slots[cur], k * mem.shape.paramFloats).slice();
    writeOptimizer(mem, plan.optimizer, k, plan.clip);
    useDataSet(mem, 'profile', x, y, false);
    writePlans(mem, [plan], x.rows, batchSize);
    try {
      for (let s = 0; s < steps; s++) {
        last = performance.now();
        step.train(s % batches, 1);
      }
    } finally {
      v().setUint32(CTRL.cur, cur, true);
      mem.f32(mem.layout.slots[cur], slots.length).set(slots);
    }
  } finally {
    v().setUint32(CTRL.cur, cur, true);
    mem.f32(mem.layout.sets[cur], saved.set.length).set(saved.set);
    state.slotsOf = saved.slotsOf;
    state.canUndo = saved.canUndo;
    held.update((h) => (h.data.profile = null));
  }
  const launches = program.stages.map((s, i) => ({ label: s.label, kernel: s.kernel, workgroups: [1, 1] as [number, number], ms: times[i] / steps }));
  return { source: 'wall-clock', steps, batchSize, launches, stepMs: launches.reduce((a, l) => a + l.ms, 0) };
}
