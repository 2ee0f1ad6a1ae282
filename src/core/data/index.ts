// The training data as the backends see it: validated dense matrices, read from the caller's
// arrays, records and bytes (src/core/data/to-dense.ts), checked against the network
// (targets.ts), and the row operations the trainers need (rows.ts, magnitude.ts).
export { type Dense, type ByteData, byteDense } from './dense';
export { type DenseOptions, toDense } from './to-dense';
export { toInputs, toTargets } from './targets';
export { takeRows, gatherRows } from './rows';
export { largestMagnitude } from './magnitude';
