/**
 * `s3-index reconcile BUCKET[/PREFIX] [--repair] [--json] [--concurrency N]`: the drift between the index and the
 * bucket (src/backfill/reconcile.ts), as a table (at most TABLE_LINES rows, then totals) or as JSON; with --repair it
 * is fixed. Exit status 0 when there is no drift (or all of it was repaired), 1 when drift remains (report only, or
 * a repair the index refused in part), 2 when the reconcile itself failed (listing, HeadObject, the index).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { driftOf, type ReconcileReport, type Row, reconcile } from '../backfill/reconcile';

export { driftOf };

export const TABLE_LINES = 50;

export interface ReconcileCliOptions {
  bucket: string;
  prefix: string;
  repair: boolean;
  json: boolean;
  concurrency: number;
}

export interface ReconcileDeps {
  redis(argv: string[]): Promise<unknown>;
  s3: Pick<S3Client, 'send'>;
  out(s: string): void;
  err(s: string): void;
}

const side = (r: Row | undefined): string => (r === undefined ? '-' : `${r.size} ${r.etag}`);

export function formatTable(r: ReconcileReport, lines = TABLE_LINES): string {
  const rows: Array<[string, string, string, string]> = [
    ...r.missing.map((b): [string, string, string, string] => ['missing', b.key, side(undefined), side(b)]),
    ...r.extra.map((x): [string, string, string, string] => ['extra', x.key, side(x), side(undefined)]),
    ...r.stale.map((s): [string, string, string, string] => ['stale', s.key, side(s.index), side(s.bucket)]),
  ];
  const shown = rows.slice(0, lines);
  const header: [string, string, string, string] = ['KIND', 'KEY', 'INDEX (size etag)', 'BUCKET (size etag)'];
  const widths = [0, 1, 2].map((c) => Math.max(header[c]!.length, ...shown.map((x) => x[c]!.length)));
  const line = (x: [string, string, string, string]) =>
    `${x[0].padEnd(widths[0]!)}  ${x[1].padEnd(widths[1]!)}  ${x[2].padEnd(widths[2]!)}  ${x[3]}`.trimEnd();
  let text = '';
  if (shown.length > 0) text += `${[header, ...shown].map(line).join('\n')}\n`;
  if (rows.length > shown.length) text += `… and ${rows.length - shown.length} more\n`;
  text +=
    `checked ${r.checked.bucket} bucket objects, ${r.checked.index} index entries under s3://${r.bucket}/${r.prefix}: ` +
    `${r.missing.length} missing, ${r.extra.length} extra, ${r.stale.length} stale, ` +
    `${r.unverified} unverified (${r.verified.present} present, ${r.verified.absent} absent), ${r.skipped} skipped (written during the listing)\n`;
  const rep = r.repaired;
  if (rep.applied + rep.stale + rep.duplicate + rep.ignored > 0)
    text += `repaired: ${rep.applied} applied, ${rep.stale} stale, ${rep.duplicate} duplicate, ${rep.ignored} ignored\n`;
  if (rep.queued > 0) text += `repair queued: ${rep.queued} rows\n`;
  return text;
}

export async function runReconcile(opts: ReconcileCliOptions, deps: ReconcileDeps): Promise<number> {
  let last = Date.now();
  let report: ReconcileReport;
  try {
    report = await reconcile({
      s3: deps.s3,
      bucket: opts.bucket,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      redis: deps.redis,
      repair: opts.repair,
      onProgress(p) {
        if (Date.now() - last < 1000) return;
        last = Date.now();
        deps.err(`s3-index reconcile: ${p.phase} ${p.done}\n`);
      },
    });
  } catch (err) {
    deps.err(`s3-index reconcile: ${(err as Error).message}\n`);
    return 2;
  }
  const drift = driftOf(report);
  // repaired: every drifted key was sent; a row the index refused (stale or ignored: an event it applied knows
  // better, or the key changed meanwhile) leaves drift for the next run to look at
  const refused = report.repaired.stale + report.repaired.ignored;
  const remains = drift > 0 && (!opts.repair || refused > 0);
  if (opts.json) deps.out(`${JSON.stringify({ ...report, drift, repairedAll: opts.repair && refused === 0 })}\n`);
  else deps.out(formatTable(report));
  return remains ? 1 : 0;
}
