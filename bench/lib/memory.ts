/**
 * Memory readings for benchmarks run with --expose-gc: a full collection, V8's heap + external bytes, and the RSS at
 * rest. A figure per member is only sound when whatever was measured is still reachable at the reading after the
 * load: a local the function no longer reads may be collected by then (V8's optimised code does not keep dead
 * locals alive), so callers read the measured structure after their last reading (see bench/engine/zset-memory.ts).
 */

/** Full, synchronous collections (twice: the first one's finalisers may free more); a no-op without --expose-gc. */
export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

/** Whether this process can force collections (node --expose-gc): memory figures are refused without it. */
export const canForceGc = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function';

/** V8's heap in use plus the external memory it accounts for (Buffers and ArrayBuffers). */
export function heapAndExternal(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * RSS at rest: the least of `rounds` readings `gapMs` apart, each after forced collections. V8 gives the pages a
 * collection freed back to the OS lazily (for a second or two), so one reading right after a GC can be well above
 * the level the process settles at.
 */
export function restingRss(rounds = 8, gapMs = 250): number {
  let least = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    gc();
    Atomics.wait(sleeper, 0, 0, gapMs);
    least = Math.min(least, process.memoryUsage().rss);
  }
  return least;
}
