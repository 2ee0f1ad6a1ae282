// The benchmark's groups (bench/groups.ts): 'auto' alternates with ours-wasm, every system runs
// once, no group holds two TF.js backends (TF.js has one global backend), and the kernel
// workloads time only GPU kernels and TF.js wasm's.
import { describe, expect, it } from 'vitest';
import { groupsFor } from '../bench/groups';
import { SYSTEMS, workloads } from '../bench/workloads';

const byName = (name: string) => workloads().find((w) => w.name === name)!;

describe('bench groups', () => {
  it("times 'auto' in the group of ours-wasm, repetitions alternating", () => {
    const groups = groupsFor(byName('mlp-demo'), SYSTEMS);
    const withAuto = groups.find((g) => g.includes('ours-auto'));
    expect(withAuto, JSON.stringify(groups)).toContain('ours-wasm');
    expect(groupsFor(byName('xor'), ['ours-auto', 'ours-wasm'])).toEqual([['ours-wasm', 'ours-auto']]);
  });

  it('runs every selected system of a training workload exactly once', () => {
    for (const w of workloads().filter((x) => x.kind === 'train')) {
      const flat = groupsFor(w, SYSTEMS).flat();
      expect([...flat].sort(), w.name).toEqual([...SYSTEMS].sort());
      expect(groupsFor(w, ['tfjs-cpu', 'ours-auto']).flat().sort(), w.name).toEqual(['ours-auto', 'tfjs-cpu']);
    }
  });

  it('never puts two TF.js backends in one group', () => {
    for (const w of workloads()) {
      for (const g of groupsFor(w, SYSTEMS)) expect(g.filter((s) => s.startsWith('tfjs-')).length, `${w.name}: ${g.join(', ')}`).toBeLessThanOrEqual(1);
    }
  });

  it('times only GPU kernels and TF.js wasm on the matmul workloads', () => {
    const kernel = workloads().find((w) => w.kind === 'matmul')!;
    expect(groupsFor(kernel, SYSTEMS).flat().sort()).toEqual(['ours-webgpu', 'tfjs-wasm', 'tfjs-webgpu']);
  });
});
