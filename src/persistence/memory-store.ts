/**
 * BlobStore in memory: the reference adapter for tests and for the contract suite. `fenced: false` makes it behave
 * like an S3-compatible server that ignores conditional headers (s3rver, old MinIO): conditions are accepted and
 * not enforced.
 */
import {
  type Blob,
  type BlobInfo,
  type BlobStore,
  type BlobStream,
  bodyBytes,
  checkName,
  PreconditionFailed,
  type PutCondition,
} from './blob-store';

interface Stored {
  etag: string;
  body: Buffer;
  lastModified: number;
}

export class MemoryBlobStore implements BlobStore {
  readonly description = 'memory';
  private readonly blobs = new Map<string, Stored>();
  private nextEtag = 1;

  constructor(readonly fenced = true) {}

  async get(name: string, opts: { ifNoneMatch?: string } = {}): Promise<Blob | 'not-modified' | undefined> {
    checkName(name);
    const b = this.blobs.get(name);
    if (b === undefined) return undefined;
    if (opts.ifNoneMatch !== undefined && opts.ifNoneMatch === b.etag) return 'not-modified';
    return { etag: b.etag, body: Buffer.from(b.body) };
  }

  async getStream(name: string): Promise<BlobStream | undefined> {
    checkName(name);
    const b = this.blobs.get(name);
    if (b === undefined) return undefined;
    const body = b.body;
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < body.length; i += 64 * 1024) yield body.subarray(i, i + 64 * 1024);
    }
    return { etag: b.etag, size: body.length, body: pieces() };
  }

  async put(name: string, body: Uint8Array | AsyncIterable<Uint8Array>, cond?: PutCondition): Promise<string> {
    checkName(name);
    const bytes = Buffer.from(await bodyBytes(body));
    const cur = this.blobs.get(name);
    if (this.fenced && cond !== undefined) {
      if ('ifNoneMatch' in cond && cur !== undefined) throw new PreconditionFailed(name, 'already exists');
      if ('ifMatch' in cond && cur?.etag !== cond.ifMatch)
        throw new PreconditionFailed(name, 'changed since it was read');
    }
    const etag = `m${this.nextEtag++}`;
    this.blobs.set(name, { etag, body: bytes, lastModified: Date.now() });
    return etag;
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    this.blobs.delete(name);
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    return [...this.blobs]
      .filter(([n]) => n.startsWith(prefix))
      .map(([name, b]) => ({ name, size: b.body.length, lastModified: b.lastModified }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
