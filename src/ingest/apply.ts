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
import { parseInput } from './parse';
import { emptyOutcome, type IngestOutcome, type ParsedItem } from './types';

export interface IngestOptions {
  readonly limits?: IndexLimits;
}

/** Parses and applies any accepted input shape (object, array, JSON text). */
export function ingest(scope: IndexScope, input: unknown, opts: IngestOptions = {}): IngestOutcome {
  return applyParsed(scope, parseInput(input), opts);
}

export function applyParsed(scope: IndexScope, items: readonly ParsedItem[], opts: IngestOptions = {}): IngestOutcome {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const out = emptyOutcome();
  const touched = new Set<string>();
  for (const item of items) {
    if ('rejected' in item) {
      out.rejected.push(rejection(item.index, item.rejected, item.messageId));
      continue;
    }
    if ('skipped' in item) {
      out.ignored++;
      continue;
    }
    // one operation per event at most, so applying it is all-or-nothing
    const op = toIndexOp(item.event);
    if (op === undefined) {
      out.ignored++;
      continue;
    }
    const r = applyIndexOp(scope, op, limits, false);
    if (isWrongType(r)) {
      out.rejected.push(rejection(item.index, r.message, item.messageId));
      continue;
    }
    out[r]++;
    if (!touched.has(op.bucket)) {
      touched.add(op.bucket);
      registerBucket(scope, op.bucket);
    }
  }
  for (const b of touched) compactTombstones(scope, b, limits);
  return out;
}

function rejection(index: number, reason: string, messageId: string | undefined) {
  return messageId === undefined ? { index, reason } : { index, reason, messageId };
}
