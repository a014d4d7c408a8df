/**
 * The Upstash REST dialect, as `@upstash/redis` speaks it:
 *   request   a JSON array `["SET","k","v","EX",100]`; strings or (unquoted) numbers
 *   response  `{"result": …}`, or `{"error":"…"}` with HTTP 400
 *   encoding  with `Upstash-Encoding: base64` every string in the result (nested arrays too) is base64 of its
 *             bytes, except a top-level status "OK", which stays literal (the client decodes it that way).
 * Replies are rendered the RESP2 way: maps flatten to [k, v, …], doubles become strings, booleans 1/0.
 */
import { formatDouble } from '../engine/numbers';
import type { Reply } from '../engine/reply';
import { HttpError } from './errors';

/** `bigint` carries integer replies beyond ±2^53 exactly; `stringifyUpstash` writes them as plain JSON numbers. */
export type UpstashJson = string | number | bigint | null | UpstashJson[];
export type UpstashEnvelope = { result: UpstashJson } | { error: string };

export const commandParseError = (detail: string): HttpError =>
  new HttpError(400, 'InvalidCommand', `ERR failed to parse command: ${detail}`);

/** One command from its JSON form. Numbers are written as JavaScript prints them ("100", "1.5", "1e+21"). */
export function parseCommand(value: unknown): Buffer[] {
  if (!Array.isArray(value)) throw commandParseError('expected a JSON array of strings');
  if (value.length === 0) throw commandParseError('empty command');
  const argv: Buffer[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v === 'string') argv[i] = Buffer.from(v, 'utf8');
    else if (typeof v === 'number' && Number.isFinite(v)) argv[i] = Buffer.from(String(v), 'latin1');
    else throw commandParseError(`argument ${i} is not a string or a number`);
  }
  return argv;
}

/** A pipeline / multi-exec body: a JSON array of commands. */
export function parseCommandList(value: unknown, max: number): Buffer[][] {
  if (!Array.isArray(value)) throw commandParseError('expected a JSON array of commands');
  if (value.length === 0) throw commandParseError('empty pipeline');
  if (value.length > max) throw commandParseError(`more than ${max} commands in one request`);
  return value.map(parseCommand);
}

function str(s: string | Buffer, base64: boolean): string {
  if (typeof s === 'string') return base64 ? Buffer.from(s, 'utf8').toString('base64') : s;
  return base64 ? s.toString('base64') : s.toString('utf8');
}

/** A non-error reply as its JSON value (errors nested inside arrays become their message string). */
export function replyToJson(r: Reply, base64: boolean, top = true): UpstashJson {
  switch (r.t) {
    case 'simple':
      return top && r.v === 'OK' ? 'OK' : str(r.v, base64);
    case 'error':
      return str(r.v, base64);
    case 'int':
      return r.v;
    case 'bulk':
      return str(r.v, base64);
    case 'null':
    case 'nullarray':
      return null;
    case 'array':
    case 'set':
    case 'push':
      return r.v.map((x) => replyToJson(x, base64, false));
    case 'map': {
      const out: UpstashJson[] = [];
      for (const [k, v] of r.v) out.push(replyToJson(k, base64, false), replyToJson(v, base64, false));
      return out;
    }
    case 'double':
      return str(r.text ?? formatDouble(r.v), base64);
    case 'bool':
      return r.v ? 1 : 0;
    case 'verbatim':
      return str(r.v, base64);
  }
}

/** `{"result": …}` or `{"error": "…"}` for one reply. */
export function replyToEnvelope(r: Reply, base64: boolean): UpstashEnvelope {
  return r.t === 'error' ? { error: r.v } : { result: replyToJson(r, base64) };
}

function stringifyValue(v: UpstashJson): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(stringifyValue).join(',')}]`;
  return JSON.stringify(v);
}

const stringifyEnvelope = (e: UpstashEnvelope): string =>
  'error' in e ? JSON.stringify(e) : `{"result":${stringifyValue(e.result)}}`;

/** JSON text of one envelope or a list of them; exact for 64-bit integers (JSON.stringify rejects bigint). */
export function stringifyUpstash(e: UpstashEnvelope | UpstashEnvelope[]): string {
  return Array.isArray(e) ? `[${e.map(stringifyEnvelope).join(',')}]` : stringifyEnvelope(e);
}
