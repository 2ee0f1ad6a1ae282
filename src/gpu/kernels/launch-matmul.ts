import type { Activation } from '../../core/types';
import { type BatchRows, type Epilogue, activationCode, batchRowsCode, epilogueCode } from './registry';
import { type MatmulModes, type MatmulShape, type MatmulVariantId, matmulParams, pipelineConstants, planVariant } from './matmul-variants';
import type { LaunchRequest } from './launch-request';

/** A product C = op(A)·op(B) with an optional epilogue (see matmul.wgsl). */
export interface MatmulOptions {
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  /** The largest sizes (the grid's); with `batchRows`, one of them is the batch's rows at run time. */
  M: number;
  N: number;
  K: number;
  /** Which size is the batch's row count, read per batch: `'m'`, `'k'` or `'none'` (the default). */
  batchRows?: BatchRows;
  transA?: boolean;
  transB?: boolean;
  epilogue?: Epilogue;
  activation?: Activation;
  bias?: GPUBuffer | null;
  aux?: GPUBuffer | null;
  label?: string;
}

/**
 * The launch of one product, running the variant `chooseVariant` picks for its shape.
 *
 * @example
 * matmulRequest({ a, b, c, M: 64, N: 10, K: 784 }, () => 'blocked-4x4').entry; // 'blocked'
 */
export function matmulRequest(o: MatmulOptions, chooseVariant: (shape: MatmulShape) => MatmulVariantId): LaunchRequest {
  const modes: MatmulModes = {
    TRANS_A: !!o.transA, TRANS_B: !!o.transB, EPILOGUE: epilogueCode(o.epilogue ?? 'none'),
    // softmax is a pass of its own after the product (softmax.wgsl): the product stays linear
    ACTIVATION: activationCode(o.activation === 'softmax' ? 'linear' : o.activation ?? 'linear'), HAS_BIAS: !!o.bias,
  };
  const shape: MatmulShape = { M: o.M, N: o.N, K: o.K, form: o.transA ? 'ATB' : o.transB ? 'ABT' : 'AB' };
  const variant = chooseVariant(shape);
  const plan = planVariant(variant, shape);
  return {
    label: o.label ?? `matmul ${o.M}x${o.N}x${o.K}`,
    kernel: plan.kernel,
    entry: plan.entry,
    constants: pipelineConstants(plan, modes),
    params: matmulParams(o, batchRowsCode(o.batchRows ?? 'none'), modes),
    buffers: { a: o.a, b: o.b, c: o.c, bias: o.bias ?? null, aux: o.aux ?? null },
    workgroups: plan.workgroups,
    matmul: { variant, shape, modes },
  };
}
