/**
 * The local emulator's changes as the S3 events EventBridge delivers in AWS, so that they are ingested through the
 * production code path (src/ingest: the same parsing, per-key sequencer order, tombstones).
 *
 * - Keys are raw (EventBridge's form), never URL-encoded: s3rver's own notification records carry raw keys where
 *   real S3 notifications encode them, and decoding such a key again would turn `a+b` into `a b`. This module takes
 *   the key from the emulator's store call, not from a notification.
 * - Sequencers grow per key, as S3's do: one process-wide counter, seeded from the clock so that it keeps growing
 *   across restarts (see `Sequencer`).
 */
import { randomUUID } from 'node:crypto';

/** One change the emulator made: an object written (put, copy, POST, multipart completion) or removed. */
export type LocalChange =
  | {
      kind: 'created';
      reason: 'PutObject' | 'CopyObject' | 'PostObject' | 'CompleteMultipartUpload';
      bucket: string;
      key: string;
      size: number;
      etag: string;
      /** ms since the epoch */
      time: number;
      sequencer: string;
    }
  | {
      kind: 'deleted';
      reason: 'DeleteObject' | 'DeleteObjects';
      bucket: string;
      key: string;
      time: number;
      sequencer: string;
    };

/** The EventBridge event S3 sends for a change (`detail-type` Object Created / Object Deleted). */
export function toEventBridge(change: LocalChange, opts: { region?: string; account?: string } = {}): unknown {
  const region = opts.region ?? 'us-east-1';
  const detail: Record<string, unknown> = {
    version: '0',
    bucket: { name: change.bucket },
    object:
      change.kind === 'created'
        ? { key: change.key, size: change.size, etag: change.etag, sequencer: change.sequencer }
        : { key: change.key, sequencer: change.sequencer },
    'request-id': randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
    requester: opts.account ?? '000000000000',
    'source-ip-address': '127.0.0.1',
    reason: change.reason,
  };
  if (change.kind === 'deleted') detail['deletion-type'] = 'Permanently Deleted';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': change.kind === 'created' ? 'Object Created' : 'Object Deleted',
    source: 'aws.s3',
    account: opts.account ?? '000000000000',
    time: new Date(change.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:s3:::${change.bucket}`],
    detail,
  };
}

/**
 * S3-style sequencers: hexadecimal, growing with every change. The value is (ms since the epoch) × 2^20 plus a
 * counter, so it never repeats within a process and a restarted emulator (a later clock) continues above what it
 * issued before; always 18 digits, so that the index's comparison of sequencers of different lengths never matters.
 */
export class Sequencer {
  private last = 0n;

  next(now = Date.now()): string {
    const fromClock = BigInt(now) << 20n;
    this.last = fromClock > this.last ? fromClock : this.last + 1n;
    return this.last.toString(16).toUpperCase().padStart(18, '0');
  }
}
