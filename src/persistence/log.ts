/**
 * Log segments: the write batches applied between two snapshots (format.ts). A batch is the unit of durability and
 * of replay: the commands of one commit, with the database each ran in and the time they ran at, so a replay runs
 * them again with the same `now` and reaches the same state (relative expiries, the index's tombstone times).
 *
 * `readSegment` returns every whole batch up to the first that is torn or fails its checksum, and says where and
 * why it stopped: nothing after a bad batch is applied, nothing before it is lost.
 */
import { crc32 as zcrc32 } from 'node:zlib';
import { ByteReader, ByteWriter, CorruptError } from './bytes';
import {
  BATCH_HEADER_BYTES,
  ENTRY_COMMAND,
  LOG_FORMAT_VERSION,
  LOG_HEADER_BYTES,
  LOG_MAGIC,
  MAX_BATCH_BYTES,
} from './format';

/** One write command as it ran. */
export interface LogEntry {
  db: number;
  argv: readonly Uint8Array[];
}

export interface LogBatch {
  /** sequence number: one more than the previous batch's, across segments */
  seq: number;
  /** ms since the epoch: the `now` the batch's commands ran with */
  now: number;
  entries: readonly LogEntry[];
}

export function segmentHeader(): Buffer {
  const h = Buffer.alloc(LOG_HEADER_BYTES);
  LOG_MAGIC.copy(h, 0);
  h.writeUInt16BE(LOG_FORMAT_VERSION, 8);
  h.writeUInt16BE(0, 10);
  return h;
}

/** One framed batch (length, CRC-32, body), written into `w` (reused by the caller). */
export function writeBatch(w: ByteWriter, batch: LogBatch): void {
  const start = w.pos;
  w.ensure(BATCH_HEADER_BYTES);
  w.pos += BATCH_HEADER_BYTES;
  w.varint(batch.seq);
  w.f64(batch.now);
  w.varint(batch.entries.length);
  for (const e of batch.entries) {
    w.u8(ENTRY_COMMAND);
    w.varint(e.db);
    w.varint(e.argv.length);
    for (const a of e.argv) w.bytes(a);
  }
  const bodyStart = start + BATCH_HEADER_BYTES;
  w.buf.writeUInt32BE(w.pos - bodyStart, start);
  w.buf.writeUInt32BE(zcrc32(w.buf.subarray(bodyStart, w.pos)), start + 4);
}

/** A whole segment: its header and the batches. */
export function encodeSegment(batches: readonly LogBatch[]): Buffer {
  const w = new ByteWriter(4096);
  w.raw(segmentHeader());
  for (const b of batches) writeBatch(w, b);
  return Buffer.from(w.view());
}

export interface SegmentRead {
  batches: LogBatch[];
  /** why reading stopped before the end of the bytes (a torn or corrupt batch), and at which offset */
  damage?: { offset: number; reason: string };
}

export function readSegment(buf: Buffer): SegmentRead {
  if (buf.length < LOG_HEADER_BYTES || !buf.subarray(0, 8).equals(LOG_MAGIC))
    throw new CorruptError('not a log segment (bad magic)');
  const version = buf.readUInt16BE(8);
  if (version < 1 || version > LOG_FORMAT_VERSION)
    throw new CorruptError(
      `log format version ${version} is newer than this build reads (${LOG_FORMAT_VERSION}): upgrade s3-index`,
    );
  const batches: LogBatch[] = [];
  let p = LOG_HEADER_BYTES;
  while (p < buf.length) {
    if (buf.length - p < BATCH_HEADER_BYTES) return { batches, damage: { offset: p, reason: 'torn batch header' } };
    const len = buf.readUInt32BE(p);
    const crc = buf.readUInt32BE(p + 4);
    const bodyStart = p + BATCH_HEADER_BYTES;
    if (len > MAX_BATCH_BYTES || bodyStart + len > buf.length)
      return { batches, damage: { offset: p, reason: 'torn batch (shorter than its length)' } };
    const body = buf.subarray(bodyStart, bodyStart + len);
    if (zcrc32(body) !== crc) return { batches, damage: { offset: p, reason: 'batch checksum mismatch' } };
    try {
      batches.push(decodeBatch(body));
    } catch (err) {
      return { batches, damage: { offset: p, reason: (err as Error).message } };
    }
    p = bodyStart + len;
  }
  return { batches };
}

function decodeBatch(body: Buffer): LogBatch {
  const r = new ByteReader(body);
  const seq = r.varint();
  const now = r.f64();
  const n = r.varint();
  const entries: LogEntry[] = [];
  for (let i = 0; i < n; i++) {
    const kind = r.u8();
    if (kind !== ENTRY_COMMAND) throw new CorruptError(`unknown log entry kind ${kind}`);
    const db = r.varint();
    const argc = r.varint();
    if (argc === 0 || argc > body.length) throw new CorruptError('a command with no arguments');
    const argv: Buffer[] = [];
    for (let j = 0; j < argc; j++) argv.push(r.bytesCopy());
    entries.push({ db, argv });
  }
  if (!r.done) throw new CorruptError('bytes after the last entry of a batch');
  return { seq, now, entries };
}
