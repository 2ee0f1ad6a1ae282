/**
 * Reading the caller's values without running the caller's code (values.ts, read.ts), and
 * describing them in messages (describe.ts).
 *
 * Validation never calls `valueOf`, `toString`, `toJSON` or `Symbol.toPrimitive` (a value's kind
 * is decided with `typeof` before anything else), and never calls a getter: option objects,
 * configs and the lists inside them (layers, rows) are read through their own property
 * descriptors, so an accessor property is refused without being called, and inherited or
 * non-enumerable properties are not read at all. Typed arrays are read through the built-in
 * TypedArray getters, which no caller code can replace. Every value is read once into a
 * snapshot, and the snapshot is what is validated and used.
 *
 * Two reads cannot avoid the caller: a `Proxy`'s traps run when it is read (JavaScript cannot
 * tell a Proxy apart), and the number elements of plain arrays (the entries of `x`, `y`,
 * `weights`, `biases`) are read with one plain index access each — a descriptor per number would
 * cost about 20× the conversion — which runs an index getter if the caller defined one. Either
 * runs at most once per value, and whatever it throws is reported as a `TypeError` naming the input.
 *
 * @example
 * readRecord({ epochs: 3 }, 'fit options', ['epochs', 'batchSize']); // { epochs: 3 }
 * readRecord({ epoch: 3 }, 'fit options', ['epochs', 'batchSize']); // TypeError: … did you mean "epochs"?
 */
export { or, HOLE, typedArrayName, typedArrayLength, isArray } from './values';
export { quote, describeValue, describeNonNumber, foreignError, readForeign, closestName, unknownName } from './describe';
export { readRecord, readList, readElement, listLength, lookupData } from './read';
