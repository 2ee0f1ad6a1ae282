// Generated from shaders/*.wgsl by scripts/kernel-types.mjs (shaders/kernel-types.ts, which reflects
// each file as the Vite plugin does); do not edit. `npm run typecheck` rewrites it first, and
// test/kernel-types.test.ts fails when it is stale.
//
// `import k from '…/NAME.wgsl?kernel'` gets NAME's entry points, binding names (with access) and
// uniform fields as types, so bindGroupEntries and packParams are checked against the WGSL by the
// compiler. A .wgsl file not listed here cannot be imported until this file is regenerated.
// Each distinct set of bindings (or of uniform fields) is one type of namespace KernelShapes,
// named after the first file that declares it, and the files that share it refer to it.

declare namespace KernelShapes {
  /** activate.wgsl forward(), backward(); dropout.wgsl forward(); reduce.wgsl column_sums(); residual.wgsl accumulate() */
  type ActivateForwardBindings = { params: 'uniform'; src: 'read'; dst: 'read_write' };
  /** `batch` of every file that declares it */
  type BatchFields = 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
  /** activate.wgsl params; reduce.wgsl params; residual.wgsl params; softmax.wgsl params */
  type ActivateParamsFields = 'cols';
  /** activate.wgsl */
  type ActivateKernel = import('./kernel-interface').ReflectedKernel<{ entries: { forward: ActivateForwardBindings; backward: ActivateForwardBindings }; uniforms: { batch: BatchFields; params: ActivateParamsFields } }>;
  /** activation.wgsl; norm-output.wgsl */
  type ActivationKernel = import('./kernel-interface').ReflectedKernel<{ entries: Record<never, never>; uniforms: Record<never, never> }>;
  /** batch-norm.wgsl forward() */
  type BatchNormForwardBindings = { params: 'uniform'; gammaBeta: 'read'; xhat: 'read_write'; invStd: 'read_write'; dst: 'read_write'; pre: 'read_write'; moments: 'read_write' };
  /** batch-norm.wgsl infer() */
  type BatchNormInferBindings = { params: 'uniform'; gammaBeta: 'read'; xhat: 'read_write'; dst: 'read_write'; stats: 'read_write' };
  /** batch-norm.wgsl running_update() */
  type BatchNormRunningUpdateBindings = { params: 'uniform'; moments: 'read_write'; stats: 'read_write'; prev: 'read_write'; flags: 'read' };
  /** batch-norm.wgsl backward() */
  type BatchNormBackwardBindings = { params: 'uniform'; gammaBeta: 'read'; xhat: 'read_write'; invStd: 'read_write'; delta: 'read_write'; grads: 'read_write' };
  /** batch-norm.wgsl params */
  type BatchNormParamsFields = 'cols' | 'eps' | 'momentum';
  /** batch-norm.wgsl */
  type BatchNormKernel = import('./kernel-interface').ReflectedKernel<{ entries: { forward: BatchNormForwardBindings; infer: BatchNormInferBindings; running_update: BatchNormRunningUpdateBindings; backward: BatchNormBackwardBindings }; uniforms: { batch: BatchFields; params: BatchNormParamsFields } }>;
  /** batch.wgsl */
  type BatchKernel = import('./kernel-interface').ReflectedKernel<{ entries: Record<never, never>; uniforms: { batch: BatchFields } }>;
  /** clip.wgsl sum_squares() */
  type ClipSumSquaresBindings = { params: 'uniform'; theta: 'read'; grad: 'read'; norms: 'read_write' };
  /** clip.wgsl params */
  type ClipParamsFields = 'count' | 'l2' | 'l1' | 'slot';
  /** clip.wgsl */
  type ClipKernel = import('./kernel-interface').ReflectedKernel<{ entries: { sum_squares: ClipSumSquaresBindings }; uniforms: { batch: BatchFields; params: ClipParamsFields } }>;
  /** dropout.wgsl backward() */
  type DropoutBackwardBindings = { params: 'uniform'; dst: 'read_write' };
  /** dropout.wgsl params */
  type DropoutParamsFields = 'cols' | 'layer' | 'threshold' | 'scale';
  /** dropout.wgsl */
  type DropoutKernel = import('./kernel-interface').ReflectedKernel<{ entries: { forward: ActivateForwardBindings; backward: DropoutBackwardBindings }; uniforms: { batch: BatchFields; params: DropoutParamsFields } }>;
  /** gather.wgsl main() */
  type GatherMainBindings = { params: 'uniform'; order: 'read'; dst: 'read_write'; src0: 'read'; src1: 'read'; src2: 'read'; src3: 'read' };
  /** gather.wgsl params */
  type GatherParamsFields = 'cols' | 'shardRows' | 'rowStride' | 'firstShard' | 'scale' | 'offset';
  /** gather.wgsl */
  type GatherKernel = import('./kernel-interface').ReflectedKernel<{ entries: { main: GatherMainBindings }; uniforms: { batch: BatchFields; params: GatherParamsFields } }>;
  /** loss.wgsl main() */
  type LossMainBindings = { params: 'uniform'; a: 'read'; y: 'read'; delta: 'read_write'; rowStats: 'read_write'; sampleWeights: 'read'; rowMetrics: 'read_write' };
  /** loss.wgsl params */
  type LossParamsFields = 'cols' | 'huberDelta';
  /** loss.wgsl */
  type LossKernel = import('./kernel-interface').ReflectedKernel<{ entries: { main: LossMainBindings }; uniforms: { batch: BatchFields; params: LossParamsFields } }>;
  /** matmul-blocks.wgsl params; matmul-modes.wgsl params; matmul-subgroups.wgsl params; matmul-vec4.wgsl params; matmul.wgsl params */
  type MatmulBlocksParamsFields = 'M' | 'N' | 'K' | 'batchRows' | 'transA' | 'transB' | 'epilogue' | 'activation' | 'hasBias' | 'alpha';
  /** matmul-blocks.wgsl; matmul-modes.wgsl */
  type MatmulBlocksKernel = import('./kernel-interface').ReflectedKernel<{ entries: Record<never, never>; uniforms: { batch: BatchFields; params: MatmulBlocksParamsFields } }>;
  /** matmul-subgroups.wgsl main(); matmul-vec4.wgsl main(); matmul.wgsl main(), blocked() */
  type MatmulSubgroupsMainBindings = { params: 'uniform'; a: 'read'; b: 'read'; c: 'read_write'; bias: 'read'; aux: 'read' };
  /** matmul-subgroups.wgsl; matmul-vec4.wgsl */
  type MatmulSubgroupsKernel = import('./kernel-interface').ReflectedKernel<{ entries: { main: MatmulSubgroupsMainBindings }; uniforms: { batch: BatchFields; params: MatmulBlocksParamsFields } }>;
  /** matmul.wgsl */
  type MatmulKernel = import('./kernel-interface').ReflectedKernel<{ entries: { main: MatmulSubgroupsMainBindings; blocked: MatmulSubgroupsMainBindings }; uniforms: { batch: BatchFields; params: MatmulBlocksParamsFields } }>;
  /** norm.wgsl forward() */
  type NormForwardBindings = { params: 'uniform'; gammaBeta: 'read'; xhat: 'read_write'; invStd: 'read_write'; dst: 'read_write'; pre: 'read_write' };
  /** norm.wgsl param_grads() */
  type NormParamGradsBindings = { params: 'uniform'; xhat: 'read_write'; delta: 'read_write'; grads: 'read_write' };
  /** norm.wgsl backward() */
  type NormBackwardBindings = { params: 'uniform'; gammaBeta: 'read'; xhat: 'read_write'; invStd: 'read_write'; delta: 'read_write' };
  /** norm.wgsl params */
  type NormParamsFields = 'cols' | 'eps';
  /** norm.wgsl */
  type NormKernel = import('./kernel-interface').ReflectedKernel<{ entries: { forward: NormForwardBindings; param_grads: NormParamGradsBindings; backward: NormBackwardBindings }; uniforms: { batch: BatchFields; params: NormParamsFields } }>;
  /** optimizer.wgsl main() */
  type OptimizerMainBindings = { params: 'uniform'; theta: 'read_write'; grad: 'read'; s1: 'read_write'; s2: 'read_write'; prev: 'read_write'; flags: 'read'; norms: 'read' };
  /** optimizer.wgsl params */
  type OptimizerParamsFields = 'count' | 'l2' | 'l1' | 'momentum' | 'beta1' | 'beta2' | 'epsilon';
  /** optimizer.wgsl */
  type OptimizerKernel = import('./kernel-interface').ReflectedKernel<{ entries: { main: OptimizerMainBindings }; uniforms: { batch: BatchFields; params: OptimizerParamsFields } }>;
  /** reduce.wgsl batch_stats() */
  type ReduceBatchStatsBindings = { src: 'read'; dst: 'read_write'; flags: 'read_write' };
  /** reduce.wgsl */
  type ReduceKernel = import('./kernel-interface').ReflectedKernel<{ entries: { column_sums: ActivateForwardBindings; batch_stats: ReduceBatchStatsBindings }; uniforms: { batch: BatchFields; params: ActivateParamsFields } }>;
  /** residual.wgsl sum() */
  type ResidualSumBindings = { params: 'uniform'; src: 'read'; other: 'read'; dst: 'read_write' };
  /** residual.wgsl derivative_of() */
  type ResidualDerivativeOfBindings = { params: 'uniform'; src: 'read'; aux: 'read'; dst: 'read_write' };
  /** residual.wgsl scale() */
  type ResidualScaleBindings = { params: 'uniform'; aux: 'read'; dst: 'read_write' };
  /** residual.wgsl */
  type ResidualKernel = import('./kernel-interface').ReflectedKernel<{ entries: { sum: ResidualSumBindings; accumulate: ActivateForwardBindings; derivative_of: ResidualDerivativeOfBindings; scale: ResidualScaleBindings }; uniforms: { batch: BatchFields; params: ActivateParamsFields } }>;
  /** softmax.wgsl main() */
  type SoftmaxMainBindings = { params: 'uniform'; z: 'read_write' };
  /** softmax.wgsl */
  type SoftmaxKernel = import('./kernel-interface').ReflectedKernel<{ entries: { main: SoftmaxMainBindings }; uniforms: { batch: BatchFields; params: ActivateParamsFields } }>;
}

declare module '*/activate.wgsl?kernel' {
  const kernel: KernelShapes.ActivateKernel;
  export default kernel;
}

declare module '*/activation.wgsl?kernel' {
  const kernel: KernelShapes.ActivationKernel;
  export default kernel;
}

declare module '*/batch-norm.wgsl?kernel' {
  const kernel: KernelShapes.BatchNormKernel;
  export default kernel;
}

declare module '*/batch.wgsl?kernel' {
  const kernel: KernelShapes.BatchKernel;
  export default kernel;
}

declare module '*/clip.wgsl?kernel' {
  const kernel: KernelShapes.ClipKernel;
  export default kernel;
}

declare module '*/dropout.wgsl?kernel' {
  const kernel: KernelShapes.DropoutKernel;
  export default kernel;
}

declare module '*/gather.wgsl?kernel' {
  const kernel: KernelShapes.GatherKernel;
  export default kernel;
}

declare module '*/loss.wgsl?kernel' {
  const kernel: KernelShapes.LossKernel;
  export default kernel;
}

declare module '*/matmul-blocks.wgsl?kernel' {
  const kernel: KernelShapes.MatmulBlocksKernel;
  export default kernel;
}

declare module '*/matmul-modes.wgsl?kernel' {
  const kernel: KernelShapes.MatmulBlocksKernel;
  export default kernel;
}

declare module '*/matmul-subgroups.wgsl?kernel' {
  const kernel: KernelShapes.MatmulSubgroupsKernel;
  export default kernel;
}

declare module '*/matmul-vec4.wgsl?kernel' {
  const kernel: KernelShapes.MatmulSubgroupsKernel;
  export default kernel;
}

declare module '*/matmul.wgsl?kernel' {
  const kernel: KernelShapes.MatmulKernel;
  export default kernel;
}

declare module '*/norm-output.wgsl?kernel' {
  const kernel: KernelShapes.ActivationKernel;
  export default kernel;
}

declare module '*/norm.wgsl?kernel' {
  const kernel: KernelShapes.NormKernel;
  export default kernel;
}

declare module '*/optimizer.wgsl?kernel' {
  const kernel: KernelShapes.OptimizerKernel;
  export default kernel;
}

declare module '*/reduce.wgsl?kernel' {
  const kernel: KernelShapes.ReduceKernel;
  export default kernel;
}

declare module '*/residual.wgsl?kernel' {
  const kernel: KernelShapes.ResidualKernel;
  export default kernel;
}

declare module '*/softmax.wgsl?kernel' {
  const kernel: KernelShapes.SoftmaxKernel;
  export default kernel;
}
