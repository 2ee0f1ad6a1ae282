import { MAP_MODE_READ, USAGE } from './usage';
import { type BatchUniforms, passBatches } from './kernels/batch-uniform';
import type { GpuContext } from './context';
import type { Dispatch } from './kernels/launches';
import type { StepProfile } from '../core/profile';
import type { Dense } from '../core/data';
import type { EpochPlan } from '../core/trainer';
import type { DeviceParameters } from './train/parameters';
import { TrainingRun } from './train/training';

/**
 * Times each launch of `steps` training steps on `x`, `y` (see {@link StepProfile}); the
 * parameters and optimizer state are put back afterwards.
 *
 * @example
 * const profile = await profileTraining(ctx, state, x, y, plan, 5);
 */
export async function profileTraining(ctx: GpuContext, state: DeviceParameters, x: Dense, y: Dense, plan: EpochPlan, steps: number): Promise<StepProfile> {
  const saved = await state.read(true);
  const run = TrainingRun.create(ctx, state, { x, y, batchSize: plan.batchSize });
  try {
    const { set, program } = run;
    const update = program.updateLaunches(plan);
    program.uniforms.write(passBatches(set.n, set.batchSize, { learningRate: plan.learningRate, optimizer: plan.optimizer, stepsBefore: plan.stepsBefore }));
    set.writeOrder(plan, 0);
    const launches = [...program.step, ...update];
    const { source, ms } = await profileLaunches(ctx, launches, program.uniforms, set.batches, steps);
    const timings = launches.map((d, i) => ({ label: d.label, kernel: d.kernel, workgroups: d.workgroups, ms: ms[i] }));
    return { source, steps, batchSize: set.batchSize, launches: timings, stepMs: ms.reduce((a, b) => a + b, 0) };
  } finally {
    run.release();
    state.writeParams(saved.params);
    if (saved.optimizer) state.writeOptimizerState(saved.optimizer);
    else state.resetOptimizer();
  }
}

/**
 * Times each launch of `launches` over `steps` replays (batch entry `s % slots` of `uniforms`).
 * The launches really run (a training step updates the weights): the caller restores the state.
 *
 * @example
 * const p = await profileLaunches(ctx, [...run.program.step, ...update], run.program.uniforms, run.set.batches, 5);
 */
export async function profileLaunches(ctx: GpuContext, launches: Dispatch[], uniforms: BatchUniforms, slots: number, steps: number): Promise<{ source: StepProfile['source']; ms: number[] }> {
  const { device } = ctx;
  const total = new Array<number>(launches.length).fill(0);
  const timestamps = device.features.has('timestamp-query');
  // with timestamp-query: one compute pass per launch, timestamps at its start and end;
  // otherwise one submission per launch, awaited
  if (!timestamps) {
    for (let s = 0; s < steps; s++) {
      for (let i = 0; i < launches.length; i++) {
        const t0 = performance.now();
        const enc = device.createCommandEncoder({ label: `profile ${launches[i].label}` });
        const pass = enc.beginComputePass();
        ctx.launches.encode(pass, [launches[i]], uniforms, s % slots);
        pass.end();
        device.queue.submit([enc.finish()]);
        await device.queue.onSubmittedWorkDone();
        total[i] += performance.now() - t0;
      }
      ctx.checkAlive();
    }
    return { source: 'wall-clock', ms: total.map((t) => t / steps) };
  }
  const count = 2 * launches.length;
  const querySet = device.createQuerySet({ type: 'timestamp', count });
  const resolved = ctx.buffers.create('profile timestamps', count * 8, USAGE.QUERY_RESOLVE | USAGE.COPY_SRC);
  const staging = ctx.buffers.create('profile timestamps staging', count * 8, USAGE.MAP_READ | USAGE.COPY_DST);
  try {
    for (let s = 0; s < steps; s++) {
      const enc = device.createCommandEncoder({ label: `profile step ${s}` });
      launches.forEach((d, i) => {
        const pass = enc.beginComputePass({ label: d.label, timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        ctx.launches.encode(pass, [d], uniforms, s % slots);
        pass.end();
      });
      enc.resolveQuerySet(querySet, 0, count, resolved, 0);
      enc.copyBufferToBuffer(resolved, 0, staging, 0, count * 8);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_MODE_READ, 0, count * 8);
      const t = new BigInt64Array(staging.getMappedRange(0, count * 8).slice(0));
      staging.unmap();
      ctx.checkAlive();
      for (let i = 0; i < launches.length; i++) total[i] += Number(t[2 * i + 1] - t[2 * i]) / 1e6;
    }
    return { source: 'timestamp-query', ms: total.map((t) => t / steps) };
  } finally {
    querySet.destroy();
    ctx.buffers.destroy(resolved);
    ctx.buffers.destroy(staging);
  }
}
