/**
 * `s3-index snapshot inspect|verify PATH`: what a data directory (or one snapshot file) holds, and whether every
 * checksum in it is right, without starting a server.
 *
 * - inspect: the manifest (snapshot, segments, last batch), the snapshot's header, META facts and sections (kind,
 *   compression, sizes), and each segment's batches.
 * - verify: reads everything the manifest names, checks every section and batch checksum and decodes every record
 *   (nothing is kept in memory beyond one value); exit 0 when all is well, 1 with the first problem otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BlobStore } from '../persistence/blob-store';
import { StoreError } from '../persistence/blob-store';
import { CorruptError } from '../persistence/bytes';
import { FsBlobStore } from '../persistence/fs-store';
import { readSegment } from '../persistence/log';
import { decodeManifest, MANIFEST } from '../persistence/manifest';
import { parseS3Url, S3BlobStore } from '../persistence/s3-store';
import { loadSnapshot, type SnapshotSummary } from '../persistence/snapshot-decode';
import { INDEX_WEIGHTS } from '../service/persistence';

export const SNAPSHOT_USAGE = `usage: s3-index snapshot inspect PATH    the manifest, sections, counts and sizes
       s3-index snapshot verify PATH     checks every checksum and record (exit 1 on the first problem)
PATH: a data directory (serve --data-dir), one .snapshot file, or s3://BUCKET/PREFIX (serve --store; read only,
      with AWS_ENDPOINT_URL_S3 or S3_INDEX_S3_ENDPOINT, and S3_INDEX_S3_PATH_STYLE, for S3-compatible servers)
`;

const KIND: Record<number, string> = { 1: 'META', 2: 'DATA', 255: 'END' };

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

async function* fileStream(file: string): AsyncGenerator<Uint8Array> {
  for await (const piece of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) yield piece as Buffer;
}

function describeSnapshot(name: string, s: SnapshotSummary, io: Io, sections: boolean): void {
  const body = s.sections.reduce((n, x) => n + x.bodyBytes, 0);
  io.out(
    `snapshot ${name}: format ${s.version}, created ${new Date(s.createdAt).toISOString()}, log position ${s.logSeq}, ` +
      `${s.keys} keys, ${s.bytes} bytes (${body} before compression), ${s.sections.length} sections\n`,
  );
  io.out(`  meta: ${JSON.stringify(s.meta)}\n`);
  if (!sections) return;
  for (const [i, x] of s.sections.entries())
    io.out(
      `  section ${i}: ${KIND[x.kind] ?? `kind ${x.kind}`}${x.deflated ? ' deflated' : ''} ${x.storedBytes} bytes` +
        `${x.deflated ? ` (${x.bodyBytes} inflated)` : ''}\n`,
    );
}

/** The store of `serve --store`, opened read-only: no probe object is written. */
async function openS3(url: string): Promise<BlobStore> {
  let where: { bucket: string; prefix: string };
  try {
    where = parseS3Url(url);
  } catch (err) {
    throw new StoreError(err instanceof Error ? err.message : String(err));
  }
  const pathStyle = process.env.S3_INDEX_S3_PATH_STYLE;
  return S3BlobStore.open({
    ...where,
    endpoint: process.env.S3_INDEX_S3_ENDPOINT || undefined,
    forcePathStyle: pathStyle ? /^(true|yes|1|on)$/i.test(pathStyle) : undefined,
    readOnly: true,
  });
}

export async function snapshotCommand(args: readonly string[], io: Io): Promise<number> {
  const [sub, target, ...extra] = args;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    io.out(SNAPSHOT_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if ((sub !== 'inspect' && sub !== 'verify') || target === undefined || extra.length > 0) {
    io.err(
      `s3-index: ${sub !== 'inspect' && sub !== 'verify' ? `unknown snapshot command '${sub}'` : 'PATH is missing'}\n${SNAPSHOT_USAGE}`,
    );
    return 2;
  }
  const verify = sub === 'verify';
  try {
    const s3 = target.startsWith('s3://');
    const st = s3 ? undefined : fs.statSync(target, { throwIfNoEntry: false });
    if (!s3 && st === undefined) throw new StoreError(`${target} does not exist`);
    if (st?.isFile()) {
      const s = await loadSnapshot(fileStream(target), undefined, { weights: INDEX_WEIGHTS });
      describeSnapshot(path.basename(target), s, io, !verify);
      if (verify) io.out('ok: every checksum and record is valid\n');
      return 0;
    }
    const store: BlobStore = s3 ? await openS3(target) : await FsBlobStore.open(target, { readOnly: true });
    const got = await store.get(MANIFEST);
    if (got === undefined || got === 'not-modified') throw new StoreError(`${target} has no ${MANIFEST}`);
    const m = decodeManifest(got.body);
    io.out(
      `manifest: last batch ${m.lastSeq}, written by ${m.writer || '-'} at ${new Date(m.updatedAt).toISOString()}, ` +
        `${m.segments.length} log segments after the snapshot\n`,
    );
    if (m.snapshot !== null) {
      const s = await store.getStream(m.snapshot.name);
      if (s === undefined) throw new CorruptError(`the manifest names ${m.snapshot.name}, which is missing`);
      describeSnapshot(m.snapshot.name, await loadSnapshot(s.body, undefined, { weights: INDEX_WEIGHTS }), io, !verify);
    } else io.out('snapshot: none yet\n');
    for (const ref of m.segments) {
      const seg = await store.get(ref.name);
      if (seg === undefined || seg === 'not-modified')
        throw new CorruptError(`the manifest names ${ref.name}, which is missing`);
      const read = readSegment(seg.body);
      const inRange = read.batches.filter((b) => b.seq >= ref.first && b.seq <= ref.last);
      const entries = inRange.reduce((n, b) => n + b.entries.length, 0);
      io.out(`segment ${ref.name}: batches ${ref.first}…${ref.last}, ${entries} commands, ${seg.body.length} bytes\n`);
      if (inRange.length !== ref.last - ref.first + 1) {
        const why = read.damage ? `${read.damage.reason} at byte ${read.damage.offset}` : 'batches missing';
        throw new CorruptError(`${ref.name}: ${why}`);
      }
    }
    if (verify) io.out('ok: every checksum and record is valid\n');
    return 0;
  } catch (err) {
    if (err instanceof CorruptError || err instanceof StoreError) {
      io.err(`s3-index: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
