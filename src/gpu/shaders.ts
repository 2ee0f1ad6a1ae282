import activationWgsl from '../../shaders/activation.wgsl?raw';
import batchWgsl from '../../shaders/batch.wgsl?raw';
import gatherWgsl from '../../shaders/gather.wgsl?raw';
import lossWgsl from '../../shaders/loss.wgsl?raw';
import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import optimizerWgsl from '../../shaders/optimizer.wgsl?raw';
import reduceWgsl from '../../shaders/reduce.wgsl?raw';
import softmaxWgsl from '../../shaders/softmax.wgsl?raw';

/** Binding kinds of group 0, in binding order. */
export type Slot = 'uniform' | 'read' | 'write';

/** A kernel family: its WGSL (with the per-batch uniform, and where used the activations, prepended) and its group-0 layout. */
export interface ShaderDef {
  name: string;
  code: string;
  slots: Slot[];
}

const withBatch = (code: string) => `${batchWgsl}\n${code}`;
const withActivation = (code: string) => withBatch(`${activationWgsl}\n${code}`);

/** Every kernel family, one `.wgsl` file each in shaders/. */
export const SHADERS = {
  matmul: { name: 'matmul', code: withActivation(matmulWgsl), slots: ['uniform', 'read', 'read', 'write', 'read', 'read'] },
  gather: { name: 'gather', code: withBatch(gatherWgsl), slots: ['uniform', 'read', 'write', 'read', 'read', 'read', 'read'] },
  softmax: { name: 'softmax', code: withBatch(softmaxWgsl), slots: ['uniform', 'write'] },
  loss: { name: 'loss', code: withActivation(lossWgsl), slots: ['uniform', 'read', 'read', 'write', 'write'] },
  reduce: { name: 'reduce', code: withBatch(reduceWgsl), slots: ['uniform', 'read', 'write', 'write'] },
  optimizer: { name: 'optimizer', code: withBatch(optimizerWgsl), slots: ['uniform', 'write', 'read', 'write', 'write', 'write', 'read'] },
} satisfies Record<string, ShaderDef>;

/** Activation codes shared by the shaders' `ACTIVATION` override. */
export const ACTIVATION_CODE = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, softmax: 4 } as const;
/** Loss codes for loss.wgsl's `LOSS` override. */
export const LOSS_CODE = { sse: 0, mse: 1, binaryCrossEntropy: 2, categoricalCrossEntropy: 3 } as const;
/** Optimizer codes for optimizer.wgsl's `OPTIMIZER` override. */
export const OPTIMIZER_CODE = { sgd: 0, momentum: 1, adam: 2 } as const;
