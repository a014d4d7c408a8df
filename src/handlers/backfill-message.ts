/**
 * Backfill pages as ingest-queue messages. The backfill function does not write the store itself: the ingest
 * function stays the one writer, and a page of crawled rows reaches it through the same SQS queue as the S3 events
 * (with the same retries and dead-letter queue). A message body:
 *
 *   {"source":"s3-index.backfill","bucket":B,"crawlStart":ms,"rows":[[key,size,etag,lastModified,storageClass],…]}
 *
 * The ingest function applies it as one S3IDX.BACKFILL command (src/index/commands/backfill.ts: the merge rule of
 * key-state.ts, op 'listed'), which is also what its write log records.
 */
import type { CrawledObject } from '../backfill/crawl';

export const BACKFILL_SOURCE = 's3-index.backfill';

type Row = [key: string, size: number, etag: string, lastModified: number, storageClass: string];

export interface BackfillMessage {
  source: typeof BACKFILL_SOURCE;
  bucket: string;
  crawlStart: number;
  rows: Row[];
}

/** SQS takes 256 KiB per message and per batch of ten; a message stays well under a tenth of it when it can. */
export const MAX_MESSAGE_BYTES = 24 * 1024;

/**
 * The page as message bodies of at most `maxBytes` (UTF-8) each, rows in order; a row longer than `maxBytes` on its
 * own (a key near S3's 1,024-byte limit, with a long ETag) gets a message to itself.
 */
export function backfillMessages(
  bucket: string,
  crawlStart: number,
  rows: readonly CrawledObject[],
  maxBytes = MAX_MESSAGE_BYTES,
): string[] {
  const head = `{"source":"${BACKFILL_SOURCE}","bucket":${JSON.stringify(bucket)},"crawlStart":${crawlStart},"rows":[`;
  const headBytes = Buffer.byteLength(head) + 2;
  const out: string[] = [];
  let parts: string[] = [];
  let bytes = headBytes;
  for (const r of rows) {
    const row: Row = [r.key, r.size, r.etag, r.lastModified, r.storageClass || 'STANDARD'];
    const s = JSON.stringify(row);
    const n = Buffer.byteLength(s) + 1;
    if (parts.length > 0 && bytes + n > maxBytes) {
      out.push(`${head}${parts.join(',')}]}`);
      parts = [];
      bytes = headBytes;
    }
    parts.push(s);
    bytes += n;
  }
  if (parts.length > 0) out.push(`${head}${parts.join(',')}]}`);
  return out;
}

/** A parsed message body that claims to be a backfill page (its rows are checked by S3IDX.BACKFILL itself). */
export function isBackfillMessage(body: unknown): body is BackfillMessage {
  const m = body as Partial<BackfillMessage> | null;
  return typeof m === 'object' && m !== null && m.source === BACKFILL_SOURCE;
}

/** The S3IDX.BACKFILL command of a message; undefined when its shape is wrong (a poison message). */
export function backfillArgv(m: BackfillMessage): Buffer[] | undefined {
  if (typeof m.bucket !== 'string' || m.bucket === '' || !Number.isSafeInteger(m.crawlStart) || m.crawlStart < 0)
    return undefined;
  if (!Array.isArray(m.rows) || m.rows.length === 0) return undefined;
  const argv = [Buffer.from('S3IDX.BACKFILL'), Buffer.from(m.bucket), Buffer.from(String(m.crawlStart))];
  for (const r of m.rows) {
    if (!Array.isArray(r) || r.length !== 5) return undefined;
    const [key, size, etag, lastModified, storageClass] = r;
    if (typeof key !== 'string' || typeof etag !== 'string' || typeof storageClass !== 'string') return undefined;
    if (typeof size !== 'number' || typeof lastModified !== 'number') return undefined;
    argv.push(
      Buffer.from(key),
      Buffer.from(String(size)),
      Buffer.from(etag),
      Buffer.from(String(lastModified)),
      Buffer.from(storageClass),
    );
  }
  return argv;
}

/**
 * A reconcile repair as an ingest-queue message (the reconcile function, like backfill, leaves the writing to the
 * ingest function): `{"source":"s3-index.repair","argv":[command, …]}`, where the command is S3IDX.BACKFILL (rows
 * the listing found missing or stale) or S3IDX.VERIFIED (keys HeadObject confirmed absent or present). No other
 * command is accepted from the queue.
 */
export const REPAIR_SOURCE = 's3-index.repair';
const REPAIR_COMMANDS = new Set(['S3IDX.BACKFILL', 'S3IDX.VERIFIED']);

export interface RepairMessage {
  source: typeof REPAIR_SOURCE;
  argv: string[];
}

export function repairMessage(argv: readonly string[]): string {
  return JSON.stringify({ source: REPAIR_SOURCE, argv });
}

export function isRepairMessage(body: unknown): body is RepairMessage {
  const m = body as Partial<RepairMessage> | null;
  return typeof m === 'object' && m !== null && m.source === REPAIR_SOURCE;
}

/** The command of a repair message; undefined when it is not one of the two repair commands, or not all strings. */
export function repairArgv(m: RepairMessage): Buffer[] | undefined {
  if (!Array.isArray(m.argv) || m.argv.length < 4 || !m.argv.every((a) => typeof a === 'string')) return undefined;
  if (!REPAIR_COMMANDS.has(m.argv[0]!.toUpperCase())) return undefined;
  return m.argv.map((a) => Buffer.from(a));
}
