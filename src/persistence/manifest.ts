/**
 * The manifest (`manifest.json` in the store): the one mutable blob. It names the current snapshot and the log
 * segments committed after it, in order. Everything it names is immutable once written, so a reader that has the
 * manifest can fetch the rest at leisure; a writer commits by replacing the manifest conditionally on the ETag it
 * read (BlobStore ifMatch), so of two writers the second learns it lost.
 *
 * Blob names: `snapshots/<seq>-<writer>.snapshot` (the snapshot holds batches ≤ seq), `log/<first>-<writer>.seg`
 * (batches first…last; a segment whose file holds more batches than `last` is read up to `last` only: the rest was
 * damaged and given up), seq zero-padded to 16 digits so that names sort in sequence order.
 */
import { CorruptError } from './bytes';

export const MANIFEST = 'manifest.json';
export const MANIFEST_FORMAT = 1;

export interface SnapshotRef {
  name: string;
  /** the last batch the snapshot contains */
  logSeq: number;
  bytes: number;
  keys: number;
  createdAt: number;
}

export interface SegmentRef {
  name: string;
  first: number;
  last: number;
  bytes: number;
}

export interface Manifest {
  format: number;
  snapshot: SnapshotRef | null;
  segments: SegmentRef[];
  /** the last batch committed (snapshot or segment) */
  lastSeq: number;
  /** who committed last, and when (ms) */
  writer: string;
  updatedAt: number;
}

export const EMPTY_MANIFEST: Manifest = Object.freeze({
  format: MANIFEST_FORMAT,
  snapshot: null,
  segments: [],
  lastSeq: 0,
  writer: '',
  updatedAt: 0,
}) as Manifest;

export const seqName = (seq: number): string => String(seq).padStart(16, '0');
export const snapshotName = (seq: number, writer: string): string => `snapshots/${seqName(seq)}-${writer}.snapshot`;
export const segmentName = (first: number, writer: string): string => `log/${seqName(first)}-${writer}.seg`;

export function encodeManifest(m: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(m, null, 1)}\n`, 'utf8');
}

export function decodeManifest(b: Buffer): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(b.toString('utf8')) as Manifest;
  } catch {
    throw new CorruptError('manifest.json is not JSON');
  }
  if (typeof m !== 'object' || m === null || typeof m.format !== 'number')
    throw new CorruptError('manifest.json has no format');
  if (m.format > MANIFEST_FORMAT)
    throw new CorruptError(
      `manifest format ${m.format} is newer than this build reads (${MANIFEST_FORMAT}): upgrade s3-index`,
    );
  if (!Array.isArray(m.segments) || typeof m.lastSeq !== 'number') throw new CorruptError('manifest.json is malformed');
  // the segments follow on from each other, the first may begin inside the snapshot (its batches up to the
  // snapshot's are skipped), and the last ends at lastSeq
  const base = m.snapshot?.logSeq ?? 0;
  let expect = m.segments.length > 0 ? m.segments[0]!.first : base + 1;
  if (expect > base + 1) throw new CorruptError('manifest.json: batches are missing after the snapshot');
  for (const s of m.segments) {
    if (s.first !== expect || s.last < s.first || s.last <= base)
      throw new CorruptError('manifest.json: its segments do not follow on');
    expect = s.last + 1;
  }
  if (Math.max(expect - 1, base) !== m.lastSeq)
    throw new CorruptError('manifest.json: lastSeq does not match its segments');
  return m;
}
