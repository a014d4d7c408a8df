/**
 * Ingestion entry point used by every front end (S3IDX.INGEST, the Lambda handler, the CLI):
 * parse → toIndexOp → apply each event's operations to the engine → outcome counts.
 * Never throws on bad input; a malformed event is rejected with its position and a reason, the rest still apply.
 */
import type { IndexOp } from '../index/key-state';
import {
  applyIndexOp,
  compactTombstones,
  DEFAULT_LIMITS,
  type IndexLimits,
  type IndexScope,
  isWrongType,
  registerBucket,
  withPreparedKeys,
} from '../index/store';
import { toIndexOp } from './ops';
import { type ParsedSink, parseInto } from './parse';
import { emptyOutcome, type IngestOutcome, type ParsedItem } from './types';

/**
 * Events whose index lookups are prepared together (see Applier): 16 is the group size the index bench ingests
 * fastest with (figures in BENCHMARKS.md, issue 4).
 */
const PREPARE_GROUP = 16;

export interface IngestOptions {
  readonly limits?: IndexLimits;
}

/**
 * Parses and applies any accepted input shape (object, array, JSON text), in order. Events are applied in groups of
 * PREPARE_GROUP as they are parsed: the parsed form of a batch is never held in full.
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

/**
 * Applies parsed items in order and counts the outcomes (a ParsedSink). Items are held in groups of PREPARE_GROUP:
 * the lookups of a group's object keys are prepared together (withPreparedKeys: their cache misses overlap), then the
 * events are applied one by one, exactly as without the preparation.
 */
class Applier implements ParsedSink {
  length = 0;
  private readonly out = emptyOutcome();
  private readonly touched = new Set<string>();
  private readonly pending: ParsedItem[] = [];
  private readonly ops: (IndexOp | undefined)[] = [];
  private readonly members: Buffer[] = [];
  private readonly memberOf: (Buffer | undefined)[] = [];
  constructor(
    private readonly scope: IndexScope,
    private readonly limits: IndexLimits,
  ) {}

  push(item: ParsedItem): void {
    this.length++;
    this.pending.push(item);
    if (this.pending.length >= PREPARE_GROUP) this.flush();
  }

  private flush(): void {
    const { pending, ops, members, memberOf } = this;
    // the object keys of the group's events in the first event's bucket (the usual batch has one bucket)
    let bucket: string | undefined;
    let n = 0;
    for (let i = 0; i < pending.length; i++) {
      const item = pending[i]!;
      const op = 'event' in item ? toIndexOp(item.event) : undefined;
      ops[i] = op;
      memberOf[i] = undefined;
      if (op === undefined) continue;
      bucket ??= op.bucket;
      if (op.bucket !== bucket) continue;
      const m = Buffer.from(op.key, 'utf8');
      members[n++] = m;
      memberOf[i] = m;
    }
    const applyAll = () => {
      for (let i = 0; i < pending.length; i++) this.apply(pending[i]!, ops[i], memberOf[i]);
    };
    if (bucket !== undefined && n > 1) withPreparedKeys(this.scope, bucket, members, n, applyAll);
    else applyAll();
    // nothing of the group stays reachable from here
    pending.length = 0;
    ops.length = 0;
    members.length = 0;
    memberOf.length = 0;
  }

  private apply(item: ParsedItem, op: IndexOp | undefined, member: Buffer | undefined): void {
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
    if (op === undefined) {
      out.ignored++;
      return;
    }
    const r = applyIndexOp(this.scope, op, this.limits, false, member);
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
    this.flush();
    for (const b of this.touched) compactTombstones(this.scope, b, this.limits);
    return this.out;
  }
}

function rejection(index: number, reason: string, messageId: string | undefined) {
  return messageId === undefined ? { index, reason } : { index, reason, messageId };
}
