/**
 * Where snapshots, log segments and the manifest live: named, immutable-once-written blobs with ETags and the two
 * conditional writes the commit protocol needs (S3's semantics):
 *
 * - `put(name, body, { ifNoneMatch: '*' })` creates the blob only if no blob of that name exists;
 * - `put(name, body, { ifMatch: etag })` replaces it only if it is still the version with that ETag.
 *
 * A write that loses either race throws PreconditionFailed; the caller reloads and retries, or stops. A store that
 * cannot enforce these (an S3-compatible server that ignores the headers) says so in `fenced`, so the service can
 * say it runs unfenced instead of pretending.
 *
 * Adapters: fs-store.ts (a local directory), s3-store.ts (S3 and compatible servers), memory-store.ts (tests).
 * test/persistence/blob-store-contract.ts is the one contract every adapter passes.
 */

export interface BlobInfo {
  name: string;
  size: number;
  /** ms since the epoch */
  lastModified: number;
}

export interface Blob {
  etag: string;
  body: Buffer;
}

export interface BlobStream {
  etag: string;
  size: number;
  body: AsyncIterable<Uint8Array>;
}

export type PutCondition = { ifNoneMatch: '*' } | { ifMatch: string };

export interface BlobStore {
  /** where it stores, for messages (never a secret) */
  readonly description: string;
  /** whether conditional puts are enforced (false: a second writer cannot be fenced off) */
  readonly fenced: boolean;
  /** The blob, or undefined if there is none; 'not-modified' when its ETag is still `ifNoneMatch`. */
  get(name: string, opts?: { ifNoneMatch?: string }): Promise<Blob | 'not-modified' | undefined>;
  /** The blob as a stream of pieces, for large ones (snapshots); undefined if there is none. */
  getStream(name: string): Promise<BlobStream | undefined>;
  /** Stores a blob; returns its ETag. Throws PreconditionFailed when `cond` does not hold. */
  put(name: string, body: Uint8Array | AsyncIterable<Uint8Array>, cond?: PutCondition): Promise<string>;
  /** Removes a blob (no error if absent). */
  delete(name: string): Promise<void>;
  /** Blobs whose names start with `prefix`, in name order. */
  list(prefix: string): Promise<BlobInfo[]>;
}

/** A conditional put lost: the blob exists (ifNoneMatch) or changed (ifMatch). */
export class PreconditionFailed extends Error {
  constructor(
    readonly blob: string,
    why: string,
  ) {
    super(`${blob}: ${why}`);
    this.name = 'PreconditionFailed';
  }
}

/** The store cannot be used (unreachable, denied, not writable): a message for an operator, without secrets. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Names are relative paths of safe characters: no '..', no leading '/', no empty segment. */
export function checkName(name: string): void {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(name) || name.split('/').some((s) => s === '.' || s === '..'))
    throw new Error(`invalid blob name '${name}'`);
}

/** Collects a body given as bytes or a stream. */
export async function bodyBytes(body: Uint8Array | AsyncIterable<Uint8Array>): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.length);
  const parts: Buffer[] = [];
  for await (const p of body) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
}
