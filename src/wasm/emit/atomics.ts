/**
 * The threads proposal's instructions (0xFE prefix, now part of every engine that has
 * SharedArrayBuffer): sequentially consistent i32 loads, stores and adds, and the wait and notify
 * that park and wake a thread on an address. They need a shared memory (ModuleBuilder's `shared`)
 * and natural alignment (the memarg's alignment must be exactly 2 for i32).
 *
 * @example
 * const body = atomic.add(i32.c(SYNC), i32.c(1)); // returns the old value
 */
import { type Bytes, seq, uleb } from './encoding';
import { i64, memarg } from './instructions';

const op = (code: number, ...operands: Bytes[]): Bytes => seq(...operands, 0xfe, uleb(code), memarg(2, 0));

/** i32 atomics on the word at `addr` (a multiple of 4). */
export const atomic = {
  /** i32.atomic.load. */
  load: (addr: Bytes): Bytes => op(0x10, addr),
  /** i32.atomic.store (no value). */
  store: (addr: Bytes, v: Bytes): Bytes => op(0x17, addr, v),
  /** i32.atomic.rmw.add: adds `v`, leaving the old value. */
  add: (addr: Bytes, v: Bytes): Bytes => op(0x1e, addr, v),
  /** memory.atomic.wait32 with no timeout: sleeps while the word is `expected` (0 woken, 1 not equal); traps on a browser's main thread. */
  wait: (addr: Bytes, expected: Bytes): Bytes => op(0x01, addr, expected, i64.c(-1n)),
  /** memory.atomic.notify: wakes up to `count` waiters, leaving how many woke. */
  notify: (addr: Bytes, count: Bytes): Bytes => op(0x00, addr, count),
};

/** `unreachable`: traps. */
export const trap: Bytes = [0x00];

/** `drop`: evaluates `v` and discards its value. */
export const drop = (v: Bytes): Bytes => seq(v, 0x1a);
