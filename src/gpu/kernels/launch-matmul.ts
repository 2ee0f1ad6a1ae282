import type { Activation } from '../../core/types';
import { type BatchRows, type Epilogue, activationCode, batchRowsCode, epilogueCode } from './registry';
import type { ParamsValues } from './kernel-interface';
import {
  type MatmulKernel, type MatmulModes, type MatmulShape, type MatmulVariantId, type VariantLaunch, matmulParams, pipelineConstants, planVariant,
} from './matmul-variants';
import { type LaunchRequest, type RequestBuffers, type RequestParts, request } from './launch-request';

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
  /** The activation's alpha (leakyRelu, elu). */
  alpha?: number;
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
    ...(o.alpha ? { ACTIVATION_ALPHA: o.alpha } : {}),
  };
  const shape: MatmulShape = { M: o.M, N: o.N, K: o.K, form: o.transA ? 'ATB' : o.transB ? 'ABT' : 'AB' };
  const variant = chooseVariant(shape);
  const plan = planVariant(variant, shape);
  return variantRequest(plan, {
    label: o.label ?? `matmul ${o.M}x${o.N}x${o.K}`,
    constants: pipelineConstants(plan, modes),
    params: matmulParams(o, batchRowsCode(o.batchRows ?? 'none'), modes),
    buffers: { a: o.a, b: o.b, c: o.c, bias: o.bias ?? null, aux: o.aux ?? null },
    workgroups: plan.workgroups,
    matmul: { variant, shape, modes },
  });
}

/** The buffers of a product, by the binding names every matmul kernel file declares. */
export type MatmulBuffers = RequestBuffers<MatmulKernel, 'main'>;

/**
 * The request of a planned product, checked against the plan's kernel file and entry point (a
 * binding or Params field that one file lacks and another declares is caught at run time only).
 *
 * @example
 * variantRequest(planVariant('tiled', shape), { label: 'tuning', params, buffers: { a, b, c, bias: null, aux: null }, workgroups: [1, 1] });
 */
export function variantRequest(plan: VariantLaunch, parts: RequestParts<ParamsValues<MatmulKernel>, MatmulBuffers>): LaunchRequest {
  // one call per kind of plan: a call is checked against one kernel type and entry point, and
  // `main` is every file's while the others are matmul.wgsl's alone
  return plan.entry === 'main' ? request(plan.kernel, plan.entry, parts) : request(plan.kernel, plan.entry, parts);
}
