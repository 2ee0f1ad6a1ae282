/**
 * The control block: fields at fixed addresses at the start of the wasm memory, through which the
 * host tells the generated code where everything is (the memory plan can change between calls
 * while the module, built once per network shape, stays) and which optimizer settings apply,
 * and the code reports back. Also the layouts of the per-batch table the host writes (one entry
 * per batch of a call) and of the per-batch stats the code writes.
 */

/** Byte addresses of the control block's fields (i32 unless noted). */
export const CTRL = {
  /** Which parameter set (0 or 1) holds the current state; the other holds the state before the last update. */
  cur: 0,
  set0: 4,
  set1: 8,
  /** Optimizer slots of set 0 and set 1 (slot j of an element at j·paramBytes from there). */
  slots0: 12,
  slots1: 16,
  grad: 20,
  /** Packed panels of the matrix products. */
  scratch: 24,
  /** The batch's inputs [rows, inputSize], targets [rows, outputs] and row weights [rows]. */
  x: 28,
  y: 32,
  sw: 36,
  /** Two deltas [rows, widest layer], used in turn going backwards. */
  delta0: 40,
  delta1: 44,
  /** The training rows: inputs, targets, row weights (0: none). */
  dataX: 48,
  dataY: 52,
  dataW: 56,
  /** Storage form of dataX, dataY: {@link FORM}. */
  xForm: 60,
  yForm: 64,
  /** f32: byte data's value = byte·scale + offset. */
  xScale: 68,
  xOffset: 72,
  yScale: 76,
  yOffset: 80,
  /** u32 sample indices (the plans' orders), the batch table and the stats the code writes. */
  order: 84,
  table: 88,
  stats: 92,
  /** Written by `train`: {@link STATUS}. */
  status: 96,
  /** {@link OPTIMIZER} code, and the Nesterov and decay-biases flags. */
  optimizer: 100,
  nesterov: 104,
  decayBiases: 108,
  /** f32 hyper-parameters. */
  momentum: 112,
  beta1: 116,
  beta2: 120,
  epsilon: 124,
  rho: 128,
  weightDecay: 132,
  /** f32: clip by global norm (0: off) and by value (+Infinity: off). */
  clipNorm: 136,
  clipValue: 140,
  /** Optimizer slots the current optimizer uses (0, 1 or 2). */
  slotCount: 144,
  /** f32: this step's gradient scale from clipNorm (1 when not clipping). */
  clipScale: 148,
  /** f64: Σ W² of the current set's weights (the L2 term). */
  sumSquares: 152,
  /** f32: the step's learning rate, Adam's corrections 1 − β₁ᵗ, 1 − β₂ᵗ, and 1/rows (the update reads them). */
  lr: 160,
  c1: 164,
  c2: 168,
  invRows: 172,
  /** f64: Σ|W| of the current set's weights (the L1 term). */
  sumAbs: 176,
  /**
   * Per layer l, at LAYERS + 28·l: its output [rows, units], its output after dropout, its dropout
   * factors, a residual layer's output after the add (in the backward pass: ∂loss/∂ of it), its
   * z (the layers whose f' reads z; a normalized layer's γ ⊙ x̂ + β there), and a normalized layer's
   * x̂ [rows, units] and 1/σ [rows].
   */
  layers: 256,
} as const;

/** Bytes per layer in the control block's per-layer fields. */
export const LAYER_FIELDS = 28;
/** Address of layer `l`'s field in the control block. */
export const layerField = (l: number, field: 'act' | 'dropped' | 'factors' | 'sum' | 'z' | 'xhat' | 'invStd'): number =>
  CTRL.layers + LAYER_FIELDS * l + { act: 0, dropped: 4, factors: 8, sum: 12, z: 16, xhat: 20, invStd: 24 }[field];

/** Bytes of the control block of a network of `layers` layers (a multiple of 64). */
export const controlBytes = (layers: number): number => Math.ceil((CTRL.layers + LAYER_FIELDS * layers) / 64) * 64;

/** Storage forms of training data in wasm memory. */
export const FORM = { f32: 0, u8: 1, f16: 2 } as const;

/** Optimizer codes (Adam and AdamW share one: AdamW is Adam with a weight decay). */
export const OPTIMIZER = { sgd: 0, momentum: 1, adam: 2, rmsprop: 3 } as const;

/** What `train` reports in {@link CTRL.status}. */
export const STATUS = {
  ok: 0,
  /** The objective of the batch was not finite: nothing of it was applied. */
  loss: 1,
  /** The batch's update made the state non-finite: it was written to the other set and not taken. */
  update: 2,
  /** A worker thread died during the batch: nothing of it was applied (threads/parallel.ts). */
  worker: 3,
} as const;

/** The batch table: one entry per batch of a `train` call. */
export const TABLE = {
  bytes: 32,
  /** u32: index into the order array of the batch's first row. */
  orderAt: 0,
  rows: 4,
  /** u32: the batch's dropout key, and bit 0 of flags: drop units. */
  dropKey: 8,
  flags: 12,
  /** f32: learning rate, Adam's bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
  lr: 16,
  c1: 20,
  c2: 24,
} as const;

/** The stats the code writes per batch: four f64. */
export const STATS = { bytes: 32, lossSum: 0, correct: 8, absErr: 16, sqErr: 24 } as const;
