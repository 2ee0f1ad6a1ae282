import { type DeviceTraits, type MatmulShape, type MatmulVariantId, defaultVariant, whyNot } from './matmul-variants';
import type { LaunchRequest } from './launch-request';
import { type MatmulOptions, matmulRequest } from './launch-matmul';
import { type GatherOptions, gatherRequests } from './launch-gather';
import { type SoftmaxOptions, softmaxRequest } from './launch-softmax';
import { type LossOptions, lossRequest } from './launch-loss';
import { type DropoutOptions, dropoutRequest } from './launch-dropout';
import { type ResidualOptions, residualRequest } from './launch-residual';
import { type ActivateOptions, activateRequest } from './launch-activate';
import { type NormOptions, normRequest } from './launch-norm';
import { type BatchNormOptions, batchNormRequest } from './launch-batch-norm';
import { type SumSquaresOptions, sumSquaresRequest } from './launch-clip';
import { type BatchStatsOptions, type ColumnSumsOptions, batchStatsRequest, columnSumsRequest } from './launch-reduce';
import { type OptimizerOptions, optimizerRequest } from './launch-optimizer';

/** How a {@link LaunchBuilder} picks each product's matmul variant. */
export interface VariantChoice {
  /** Run every matmul with this variant where it applies (tests and benchmarks). */
  matmulVariant?: MatmulVariantId;
  /** The tuner's choice for a shape, if it made one (injected: the tuner is a layer above the kernels). */
  tuned?: (shape: MatmulShape) => MatmulVariantId | null;
}

/**
 * The kernel launch builders, one method per kernel family (each family's request in its
 * `launch-*.ts`), over what a subclass makes of a request: a GPU launch ({@link Launches}) or a
 * record of it ({@link LaunchRecorder}).
 *
 * @example
 * const d = launches.softmax({ z, cols: 10, rows: 64 }); // a Dispatch, or a LaunchRequest when recording
 */
export abstract class LaunchBuilder<L> {
  constructor(
    /** What the device offers the matmul variants. */
    readonly traits: DeviceTraits,
    readonly choice: VariantChoice = {},
  ) {}

  /** Turns one request into what this builder returns. */
  protected abstract make(request: LaunchRequest): L;

  /** The matmul variant for `shape`: the forced one where it applies, else the tuned one where it applies, else the default. */
  variantFor(shape: MatmulShape): MatmulVariantId {
    const forced = this.choice.matmulVariant;
    if (forced && whyNot(forced, shape, this.traits) === null) return forced;
    const tuned = this.choice.tuned?.(shape) ?? null;
    return tuned && whyNot(tuned, shape, this.traits) === null ? tuned : defaultVariant(shape, this.traits);
  }

  /** C = op(A)·op(B) with an optional epilogue (see {@link MatmulOptions}). */
  matmul(o: MatmulOptions): L {
    return this.make(matmulRequest(o, (shape) => this.variantFor(shape)));
  }

  /** Gathers the batch's rows of a device matrix (one launch per few shards). */
  gather(o: GatherOptions): L[] {
    return gatherRequests(o).map((r) => this.make(r));
  }

  /** Row-wise softmax in place. */
  softmax(o: SoftmaxOptions): L {
    return this.make(softmaxRequest(o));
  }

  /** Per-row loss and [loss, correct], the output delta when asked (see {@link LossOptions}). */
  loss(o: LossOptions): L {
    return this.make(lossRequest(o));
  }

  /** Inverted dropout of one layer, forward or backward. */
  dropout(o: DropoutOptions): L {
    return this.make(dropoutRequest(o));
  }

  /** One element-wise step of a residual layer (its add, or the skip's backward). */
  residual(o: ResidualOptions): L {
    return this.make(residualRequest(o));
  }

  /** The activation pass of a layer that keeps z, forward or backward. */
  activate(o: ActivateOptions): L {
    return this.make(activateRequest(o));
  }

  /** One step of a layer's normalization: its forward, γ and β's gradients, or its backward. */
  norm(o: NormOptions): L {
    return this.make(normRequest(o));
  }

  /** One step of a layer's batch normalization: its training or inference forward, running update, or backward. */
  batchNorm(o: BatchNormOptions): L {
    return this.make(batchNormRequest(o));
  }

  /** One parameter buffer's part of the gradient's global norm (clipping by norm). */
  sumSquares(o: SumSquaresOptions): L {
    return this.make(sumSquaresRequest(o));
  }

  /** Column sums over the batch's rows (bias gradient). */
  columnSums(o: ColumnSumsOptions): L {
    return this.make(columnSumsRequest(o));
  }

  /** A batch's [loss, correct] sums; latches the divergence flag when not finite (with `flags`). */
  batchStats(o: BatchStatsOptions): L {
    return this.make(batchStatsRequest(o));
  }

  /** One optimizer step; the state before it is saved into `prev`. */
  optimizer(o: OptimizerOptions): L {
    return this.make(optimizerRequest(o));
  }
}
