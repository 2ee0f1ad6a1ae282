// Which systems the benchmark times together. Repetitions alternate within a group, so a slow
// stretch of a shared machine falls on every system of the group alike; ratios are taken within
// a group.
import type { System, Workload } from './workloads';

/**
 * The groups of `systems` that run workload `w`, in order: ours on WebGPU with TF.js webgpu and
 * jax-js webgpu; ours on the CPU with TF.js cpu; ours on wasm and ours with 'auto' with TF.js
 * wasm and jax-js wasm. TF.js has one global backend, so each group holds one of its backends.
 * 'auto' alternates with ours-wasm because its figure is a ratio to the faster of our backends:
 * timed in a group of its own, after the others, it once read 0.77× ours-wasm on mlp-demo while
 * training on wasm itself, and 1.97× in another run (bench/RESULTS.md; docs/performance.md, "'auto'
 * in the benchmark"), a ratio of the machine's slow stretches rather than of the two systems.
 *
 * @example
 * groupsFor(workloads().find((w) => w.name === 'xor')!, ['ours-auto', 'ours-wasm', 'tfjs-wasm']);
 * // → [['ours-wasm', 'ours-auto', 'tfjs-wasm']]
 */
export function groupsFor(w: Workload, systems: readonly System[]): System[][] {
  const groups: System[][] = [
    ['ours-webgpu', 'tfjs-webgpu', 'jax-webgpu'],
    ['ours-cpu', 'tfjs-cpu'],
    ['ours-wasm', 'ours-auto', 'tfjs-wasm', 'jax-wasm'],
  ];
  // the kernel workloads compare GPU kernels (and TF.js wasm's); jax-js and 'auto' run training only
  const allowed = w.kind === 'matmul' ? systems.filter((s) => (s.endsWith('-webgpu') && !s.startsWith('jax-')) || s === 'tfjs-wasm') : systems;
  return groups.map((p) => p.filter((s) => allowed.includes(s))).filter((p) => p.length > 0);
}
