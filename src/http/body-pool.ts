/**
 * Output buffers for rendered listing pages, reused once the response has been handed to the OS: a 1000-key page
 * is ~205 KB, and a fresh allocation per request costs page faults and, as V8 external memory, frequent full GCs.
 *
 * The app stays runtime-agnostic: a route takes a buffer, renders into it and lends the body to its Request. Only
 * the Node server (node-server.ts) gives bodies back, when the response emits 'finish' (every byte written to the
 * socket); elsewhere (Lambda, in-process app.request) nothing is given back and the buffers are ordinary garbage.
 * The response cache copies bodies that are views (as these are), so a cached body is never a pooled buffer.
 */

const MIN_BYTES = 256 * 1024;
const MAX_POOLED_BYTES = 4 * 1024 * 1024;
const MAX_POOLED = 32;

const free: Buffer[] = [];
/** request → the whole buffer its response body is a view of */
const lent = new WeakMap<object, Buffer>();

/** A buffer of at least `size` bytes of its own (never a view into Node's shared pool). */
export function takeBuffer(size: number): Buffer {
  for (let i = free.length - 1; i >= 0; i--) {
    const b = free[i]!;
    if (b.length >= size) {
      free[i] = free[free.length - 1]!;
      free.pop();
      return b;
    }
  }
  return Buffer.allocUnsafeSlow(Math.max(size, MIN_BYTES));
}

/**
 * Records that the response to `request` is `body`, a view of `taken` (from takeBuffer); when rendering outgrew
 * `taken`, the body lives elsewhere and nothing is recorded.
 */
export function lendBody(request: object, taken: Buffer, body: Uint8Array): void {
  if (body.buffer === taken.buffer) lent.set(request, taken);
}

/** The response to `request` has been written out: its buffer may be reused. */
export function giveBack(request: object): void {
  const b = lent.get(request);
  if (b === undefined) return;
  lent.delete(request);
  if (free.length < MAX_POOLED && b.length <= MAX_POOLED_BYTES) free.push(b);
}

/** Buffers waiting for reuse (tests). */
export const pooledBuffers = (): number => free.length;
