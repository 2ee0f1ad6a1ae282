// Generated from shaders/*.wgsl by scripts/kernel-types.mjs (shaders/kernel-types.ts, which reflects
// each file as the Vite plugin does); do not edit. `npm run typecheck` rewrites it first, and
// test/kernel-types.test.ts fails when it is stale.
//
// `import k from '…/NAME.wgsl?kernel'` gets NAME's entry points, binding names (with access) and
// uniform fields as types, so bindGroupEntries and packParams are checked against the WGSL by the
// compiler. A .wgsl file not listed here cannot be imported until this file is regenerated.

declare module '*/activate.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      forward: {
        params: 'uniform';
        src: 'read';
        dst: 'read_write';
      };
      backward: {
        params: 'uniform';
        src: 'read';
        dst: 'read_write';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'cols';
    };
  }>;
  export default kernel;
}

declare module '*/activation.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: Record<never, never>;
    uniforms: Record<never, never>;
  }>;
  export default kernel;
}

declare module '*/batch-norm.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      forward: {
        params: 'uniform';
        gammaBeta: 'read';
        xhat: 'read_write';
        invStd: 'read_write';
        dst: 'read_write';
        moments: 'read_write';
      };
      forward_keeping: {
        params: 'uniform';
        gammaBeta: 'read';
        xhat: 'read_write';
        invStd: 'read_write';
        dst: 'read_write';
        pre: 'read_write';
        moments: 'read_write';
      };
      infer: {
        params: 'uniform';
        gammaBeta: 'read';
        xhat: 'read_write';
        dst: 'read_write';
        stats: 'read_write';
      };
      running_update: {
        params: 'uniform';
        moments: 'read_write';
        stats: 'read_write';
        prev: 'read_write';
        flags: 'read';
      };
      backward: {
        params: 'uniform';
        gammaBeta: 'read';
        xhat: 'read_write';
        invStd: 'read_write';
        delta: 'read_write';
        grads: 'read_write';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'cols' | 'eps' | 'momentum';
    };
  }>;
  export default kernel;
}

declare module '*/batch.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: Record<never, never>;
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
    };
  }>;
  export default kernel;
}

declare module '*/clip.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      sum_squares: {
        params: 'uniform';
        theta: 'read';
        grad: 'read';
        norms: 'read_write';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'count' | 'l2' | 'l1' | 'slot';
    };
  }>;
  export default kernel;
}

declare module '*/dropout.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      forward: {
        params: 'uniform';
        src: 'read';
        dst: 'read_write';
      };
      backward: {
        params: 'uniform';
        dst: 'read_write';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'cols' | 'layer' | 'threshold' | 'scale';
    };
  }>;
  export default kernel;
}

declare module '*/gather.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      main: {
        params: 'uniform';
        order: 'read';
        dst: 'read_write';
        src0: 'read';
        src1: 'read';
        src2: 'read';
        src3: 'read';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'cols' | 'shardRows' | 'rowStride' | 'firstShard' | 'scale' | 'offset';
    };
  }>;
  export default kernel;
}

declare module '*/loss.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      main: {
        params: 'uniform';
        a: 'read';
        y: 'read';
        delta: 'read_write';
        rowStats: 'read_write';
        sampleWeights: 'read';
        rowMetrics: 'read_write';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'cols' | 'huberDelta';
    };
  }>;
  export default kernel;
}

declare module '*/matmul-blocks.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: Record<never, never>;
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'M' | 'N' | 'K' | 'batchRows' | 'transA' | 'transB' | 'epilogue' | 'activation' | 'hasBias' | 'alpha';
    };
  }>;
  export default kernel;
}

declare module '*/matmul-modes.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: Record<never, never>;
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'M' | 'N' | 'K' | 'batchRows' | 'transA' | 'transB' | 'epilogue' | 'activation' | 'hasBias' | 'alpha';
    };
  }>;
  export default kernel;
}

declare module '*/matmul-subgroups.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      main: {
        params: 'uniform';
        a: 'read';
        b: 'read';
        c: 'read_write';
        bias: 'read';
        aux: 'read';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'M' | 'N' | 'K' | 'batchRows' | 'transA' | 'transB' | 'epilogue' | 'activation' | 'hasBias' | 'alpha';
    };
  }>;
  export default kernel;
}

declare module '*/matmul-vec4.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      main: {
        params: 'uniform';
        a: 'read';
        b: 'read';
        c: 'read_write';
        bias: 'read';
        aux: 'read';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'M' | 'N' | 'K' | 'batchRows' | 'transA' | 'transB' | 'epilogue' | 'activation' | 'hasBias' | 'alpha';
    };
  }>;
  export default kernel;
}

declare module '*/matmul.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      main: {
        params: 'uniform';
        a: 'read';
        b: 'read';
        c: 'read_write';
        bias: 'read';
        aux: 'read';
      };
      blocked: {
        params: 'uniform';
        a: 'read';
        b: 'read';
        c: 'read_write';
        bias: 'read';
        aux: 'read';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'M' | 'N' | 'K' | 'batchRows' | 'transA' | 'transB' | 'epilogue' | 'activation' | 'hasBias' | 'alpha';
    };
  }>;
  export default kernel;
}

declare module '*/norm.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      forward: {
        params: 'uniform';
        gammaBeta: 'read';
        xhat: 'read_write';
        invStd: 'read_write';
        dst: 'read_write';
      };
      forward_keeping: {
        params: 'uniform';
        gammaBeta: 'read';
        xhat: 'read_write';
        invStd: 'read_write';
        dst: 'read_write';
        pre: 'read_write';
      };
      param_grads: {
        params: 'uniform';
        xhat: 'read_write';
        delta: 'read_write';
        grads: 'read_write';
      };
      backward: {
        params: 'uniform';
        gammaBeta: 'read';
        xhat: 'read_write';
        invStd: 'read_write';
        delta: 'read_write';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'cols' | 'eps';
    };
  }>;
  export default kernel;
}

declare module '*/optimizer.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      main: {
        params: 'uniform';
        theta: 'read_write';
        grad: 'read';
        s1: 'read_write';
        s2: 'read_write';
        prev: 'read_write';
        flags: 'read';
        norms: 'read';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'count' | 'l2' | 'l1' | 'momentum' | 'beta1' | 'beta2' | 'epsilon';
    };
  }>;
  export default kernel;
}

declare module '*/reduce.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      column_sums: {
        params: 'uniform';
        src: 'read';
        dst: 'read_write';
      };
      batch_stats: {
        src: 'read';
        dst: 'read_write';
        flags: 'read_write';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'cols';
    };
  }>;
  export default kernel;
}

declare module '*/residual.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      sum: {
        params: 'uniform';
        src: 'read';
        other: 'read';
        dst: 'read_write';
      };
      accumulate: {
        params: 'uniform';
        src: 'read';
        dst: 'read_write';
      };
      derivative_of: {
        params: 'uniform';
        src: 'read';
        aux: 'read';
        dst: 'read_write';
      };
      scale: {
        params: 'uniform';
        aux: 'read';
        dst: 'read_write';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'cols';
    };
  }>;
  export default kernel;
}

declare module '*/softmax.wgsl?kernel' {
  const kernel: import('./kernel-interface').ReflectedKernel<{
    entries: {
      main: {
        params: 'uniform';
        z: 'read_write';
      };
    };
    uniforms: {
      batch: 'start' | 'rows' | 'step' | 'index' | 'lr' | 'c1' | 'c2' | 'dropKey';
      params: 'cols';
    };
  }>;
  export default kernel;
}
