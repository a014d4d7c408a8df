/**
 * Accepts every input shape the index is fed with and flattens it into one list of parsed items, in order:
 *   - an EventBridge event (source aws.s3), or an array of them;
 *   - an SQS batch (Lambda `Records[]` with eventSource aws:sqs) whose bodies are EventBridge events, classic
 *     notifications or SNS envelopes;
 *   - a classic S3 notification `{Records: [...]}` (keys URL-decoded), possibly inside an SNS envelope
 *     (`{Type: 'Notification', Message: '<json>'}`) or a Lambda SNS event (`Records[].Sns.Message`);
 *   - JSON text of any of the above.
 * `s3:TestEvent` messages are skipped. Never throws: anything malformed becomes a rejection with a reason.
 * Each call parses with an EventParser of its own (the scratch state of one batch).
 */
import { EventParser } from './event-parser';
import { isEventBridgeEvent, parseEventBridge } from './eventbridge';
import { isRecord } from './fields';
import { isNotificationRecord, isTestEvent, parseNotificationRecord } from './notification';
import type { ObjectEvent, ParsedItem } from './types';

const MAX_DEPTH = 8;

/** Where parsed items go, in order; `length` is the number received so far (an array is one). */
export interface ParsedSink {
  readonly length: number;
  push(item: ParsedItem): unknown;
}

export function parseInput(input: unknown): ParsedItem[] {
  const out: ParsedItem[] = [];
  visit(new EventParser(), input, undefined, 0, out);
  return out;
}

/** Parses `input` item by item into `sink` (which may apply each one before the next is parsed). */
export function parseInto(input: unknown, sink: ParsedSink): void {
  visit(new EventParser(), input, undefined, 0, sink);
}

/** Appends an event (an ObjectEvent) or a rejection (its reason, a string). */
function push(out: ParsedSink, messageId: string | undefined, r: ObjectEvent | string): void {
  const index = out.length;
  if (typeof r === 'string')
    out.push(messageId === undefined ? { index, rejected: r } : { index, messageId, rejected: r });
  else out.push(messageId === undefined ? { index, event: r } : { index, messageId, event: r });
}

function skip(out: ParsedSink, messageId: string | undefined, why: string): void {
  const index = out.length;
  out.push(messageId === undefined ? { index, skipped: why } : { index, messageId, skipped: why });
}

function visit(p: EventParser, v: unknown, messageId: string | undefined, depth: number, out: ParsedSink): void {
  if (depth > MAX_DEPTH) {
    push(out, messageId, 'envelopes nested too deeply');
    return;
  }
  if (typeof v === 'string' || Buffer.isBuffer(v)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof v === 'string' ? v : v.toString('utf8'));
    } catch (e) {
      push(out, messageId, `invalid JSON: ${(e as Error).message}`);
      return;
    }
    visit(p, parsed, messageId, depth + 1, out);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) visit(p, x, messageId, depth + 1, out);
    return;
  }
  if (!isRecord(v)) {
    push(out, messageId, 'not a JSON object');
    return;
  }
  if (isEventBridgeEvent(v)) {
    push(out, messageId, parseEventBridge(p, v));
    return;
  }
  if (isTestEvent(v)) {
    skip(out, messageId, 's3:TestEvent');
    return;
  }
  if (v.Type === 'Notification' && typeof v.Message === 'string') {
    visit(p, v.Message, messageId, depth + 1, out);
    return;
  }
  if (Array.isArray(v.Records)) {
    for (const r of v.Records) visitRecord(p, r, messageId, depth + 1, out);
    return;
  }
  push(out, messageId, 'unrecognised event shape');
}

function visitRecord(p: EventParser, r: unknown, messageId: string | undefined, depth: number, out: ParsedSink): void {
  if (!isRecord(r)) {
    push(out, messageId, 'record is not a JSON object');
    return;
  }
  if (r.eventSource === 'aws:sqs' || (typeof r.body === 'string' && typeof r.messageId === 'string')) {
    const id = typeof r.messageId === 'string' ? r.messageId : messageId;
    if (typeof r.body !== 'string') {
      push(out, id, 'SQS record without a body');
      return;
    }
    visit(p, r.body, id, depth, out);
    return;
  }
  if (r.EventSource === 'aws:sns' || isRecord(r.Sns)) {
    const sns = r.Sns;
    if (!isRecord(sns) || typeof sns.Message !== 'string') {
      push(out, messageId, 'SNS record without a Message');
      return;
    }
    visit(p, sns.Message, messageId, depth, out);
    return;
  }
  if (isNotificationRecord(r)) {
    push(out, messageId, parseNotificationRecord(p, r));
    return;
  }
  push(out, messageId, 'unrecognised record');
}
