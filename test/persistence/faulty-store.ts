/**
 * A BlobStore wrapper that injects the faults a real store can have and s3rver cannot produce: a put or get that
 * fails (500, 503 SlowDown, a timeout) a given number of times, a slow put, a put that fails after the bytes were
 * stored (the response was lost). Each fault is a rule matched against the operation and the blob name.
 */
import type { Blob, BlobInfo, BlobStore, BlobStream, PutCondition } from '../../src/persistence/blob-store';
import { StoreError } from '../../src/persistence/blob-store';

export interface FaultRule {
  op: 'get' | 'put' | 'delete' | 'list';
  /** blob names it applies to */
  name?: RegExp;
  /** how many matching calls fail (default: all) */
  times?: number;
  /** 'before': the call fails without effect; 'after': the effect happens, then the call fails (a lost response) */
  when?: 'before' | 'after';
  /** ms to wait before the call proceeds (a slow store) */
  delayMs?: number;
  error?: () => Error;
}

export class FaultyStore implements BlobStore {
  readonly description: string;
  readonly fenced: boolean;
  rules: FaultRule[] = [];
  calls: Array<{ op: string; name: string }> = [];

  constructor(readonly inner: BlobStore) {
    this.description = `faulty ${inner.description}`;
    this.fenced = inner.fenced;
  }

  private async around<T>(op: FaultRule['op'], name: string, fn: () => Promise<T>): Promise<T> {
    this.calls.push({ op, name });
    const rule = this.rules.find(
      (r) => r.op === op && (r.name === undefined || r.name.test(name)) && (r.times ?? 1) > 0,
    );
    if (rule === undefined) return fn();
    if (rule.times !== undefined) rule.times--;
    if (rule.delayMs !== undefined) await new Promise((r) => setTimeout(r, rule.delayMs));
    const err =
      rule.error?.() ?? (rule.delayMs !== undefined ? undefined : new StoreError(`injected ${op} failure of ${name}`));
    if (err === undefined) return fn();
    if (rule.when === 'after') {
      await fn();
      throw err;
    }
    throw err;
  }

  get(name: string, opts?: { ifNoneMatch?: string }): Promise<Blob | 'not-modified' | undefined> {
    return this.around('get', name, () => this.inner.get(name, opts));
  }
  getStream(name: string): Promise<BlobStream | undefined> {
    return this.around('get', name, () => this.inner.getStream(name));
  }
  put(name: string, body: Uint8Array | AsyncIterable<Uint8Array>, cond?: PutCondition): Promise<string> {
    return this.around('put', name, () => this.inner.put(name, body, cond));
  }
  delete(name: string): Promise<void> {
    return this.around('delete', name, () => this.inner.delete(name));
  }
  list(prefix: string): Promise<BlobInfo[]> {
    return this.around('list', prefix, () => this.inner.list(prefix));
  }
}
