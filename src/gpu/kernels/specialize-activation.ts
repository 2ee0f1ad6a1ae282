// A kernel's WGSL with activation.wgsl's switches cut down to one activation, for pipelines whose
// ACTIVATION constant is fixed. Why: every matmul epilogue calls activateAs / derivativeAs, and a
// software adapter (SwiftShader) compiles all thirteen cases into each pipeline even when the
// override selects one; the first step of a network compiles a dozen such pipelines.

const CASE_LINE = /^\s*case (ACTIVATION_[A-Z_]+): \{.*\}\s*$/;
const CASE_START = /^\s*case ACTIVATION_/;
const CONSTANT = /^const (ACTIVATION_[A-Z_]+): u32 = (\d+)u;/gm;

/**
 * `code` with every `case ACTIVATION_…` line removed but those of activation `activation` (its
 * `ACTIVATION_*` number); the `default` cases stay, so linear and softmax keep only them. `code`
 * without activation.wgsl comes back as it is.
 *
 * @example
 * specializeActivation(KERNELS.matmul.code, activationCode('relu')); // matmul with relu's cases only
 */
export function specializeActivation(code: string, activation: number): string {
  const values = new Map<string, number>();
  for (const m of code.matchAll(CONSTANT)) values.set(m[1], Number(m[2]));
  if (values.size === 0) return code;
  const kept = code.split('\n').filter((line) => {
    if (!CASE_START.test(line)) return true;
    const m = CASE_LINE.exec(line);
    if (!m) throw new Error(`activation.wgsl: a case must fit on one line to be specialized, got '${line.trim()}'`);
    const value = values.get(m[1]);
    if (value === undefined) throw new Error(`activation.wgsl: case ${m[1]} names no ACTIVATION_* constant (constants: ${[...values.keys()].join(', ')})`);
    return value === activation;
  });
  return kept.join('\n');
}
