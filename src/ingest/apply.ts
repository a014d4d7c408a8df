/**
 * Ingestion entry point used by every front end (S3IDX.INGEST, the Lambda handler, the CLI):
 * parse → toIndexOp → apply each event's operations to the engine → outcome counts.
 * Never throws on bad input; a malformed event is rejected with its position and a reason, the rest still apply.
 */
import {
  applyIndexOp,
  compactTombstones,
  DEFAULT_LIMITS,
  type IndexLimits,
  type IndexScope,
  isWrongType,
  registerBucket,
} from '../index/store';
import { toIndexOp } from './ops';
import { type ParsedSink, parseInto } from './parse';
import { emptyOutcome, type IngestOutcome, type ParsedItem } from './types';

export interface IngestOptions {
  readonly limits?: IndexLimits;
}

/**
 * Parses and applies any accepted input shape (object, array, JSON text). Each event is applied as soon as it is
 * parsed: the parsed form of a batch is never held in full.
 */
export function ingest(scope: IndexScope, input: unknown, opts: IngestOptions = {}): IngestOutcome {
  const a = new Applier(scope, opts.limits ?? DEFAULT_LIMITS);
  parseInto(input, a);
  return a.finish();
}

export function applyParsed(scope: IndexScope, items: readonly ParsedItem[], opts: IngestOptions = {}): IngestOutcome {
  const a = new Applier(scope, opts.limits ?? DEFAULT_LIMITS);
  for (const item of items) a.push(item);
  return a.finish();
}

/** Applies parsed items one by one and counts the outcomes (a ParsedSink). */
class Applier implements ParsedSink {
  length = 0;
  private readonly out = emptyOutcome();
  private readonly touched = new Set<string>();
  constructor(
    private readonly scope: IndexScope,
    private readonly limits: IndexLimits,
  ) {}

  push(item: ParsedItem): void {
    this.length++;
    const out = this.out;
    if ('rejected' in item) {
      out.rejected.push(rejection(item.index, item.rejected, item.messageId));
      return;
    }
    if ('skipped' in item) {
      out.ignored++;
      return;
    }
    // one operation per event at most, so applying it is all-or-nothing
    const op = toIndexOp(item.event);
    if (op === undefined) {
      out.ignored++;
      return;
    }
    const r = applyIndexOp(this.scope, op, this.limits, false);
    if (isWrongType(r)) {
      out.rejected.push(rejection(item.index, r.message, item.messageId));
      return;
    }
    out[r]++;
    if (!this.touched.has(op.bucket)) {
      this.touched.add(op.bucket);
      registerBucket(this.scope, op.bucket);
    }
  }

  finish(): IngestOutcome {
    for (const b of this.touched) compactTombstones(this.scope, b, this.limits);
    return this.out;
  }
}

function rejection(index: number, reason: string, messageId: string | undefined) {
  return messageId === undefined ? { index, reason } : { index, reason, messageId };
}
