/**
 * The parameters CONFIG GET / CONFIG SET know, with Redis's names, defaults, value syntax and error wording.
 * Parameters that only exist for compatibility (save, appendonly, …) answer like a Redis with that setting would;
 * parameters the server acts on (maxclients, requirepass, proto-max-bulk-len, client-query-buffer-limit, timeout)
 * are read by the connection layer on every use, so CONFIG SET takes effect at once.
 */
import { globMatch } from '../../glob';

type Kind =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'memory'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'string' };

interface Param {
  readonly name: string;
  /** Redis's other name for it (the *-ziplist-* names of Redis 6): CONFIG GET lists both, CONFIG SET takes both */
  readonly alias?: string;
  readonly type: Kind;
  readonly immutable?: boolean;
  /** when set, CONFIG SET accepts only these exact values (compatibility-only parameters) */
  readonly accepts?: readonly string[];
  readonly defaultValue: string;
}

const INT_MAX = 2147483647;
/** LLONG_MAX as Redis prints it (as a double it rounds up to 2^63). */
const LLONG_MAX = 2 ** 63;
const bound = (n: number): string => (n === LLONG_MAX ? '9223372036854775807' : String(n));

const PARAMS: readonly Param[] = [
  { name: 'maxclients', type: { kind: 'int', min: 1, max: 4294967295 }, defaultValue: '10000' },
  { name: 'requirepass', type: { kind: 'string' }, defaultValue: '' },
  { name: 'proto-max-bulk-len', type: { kind: 'memory', min: 1048576, max: LLONG_MAX }, defaultValue: '536870912' },
  {
    name: 'client-query-buffer-limit',
    type: { kind: 'memory', min: 1048576, max: LLONG_MAX },
    defaultValue: '1073741824',
  },
  { name: 'timeout', type: { kind: 'int', min: 0, max: INT_MAX }, defaultValue: '0' },
  { name: 'tcp-keepalive', type: { kind: 'int', min: 0, max: INT_MAX }, defaultValue: '300' },
  { name: 'databases', type: { kind: 'int', min: 1, max: INT_MAX }, immutable: true, defaultValue: '16' },
  { name: 'port', type: { kind: 'int', min: 0, max: 65535 }, immutable: true, defaultValue: '6380' },
  { name: 'bind', type: { kind: 'string' }, immutable: true, defaultValue: '127.0.0.1' },
  { name: 'protected-mode', type: { kind: 'bool' }, immutable: true, defaultValue: 'yes' },
  { name: 'dir', type: { kind: 'string' }, immutable: true, defaultValue: '' },
  { name: 'save', type: { kind: 'string' }, accepts: [''], defaultValue: '' },
  { name: 'appendonly', type: { kind: 'bool' }, accepts: ['no'], defaultValue: 'no' },
  { name: 'maxmemory', type: { kind: 'memory', min: 0, max: LLONG_MAX }, accepts: ['0'], defaultValue: '0' },
  {
    name: 'maxmemory-policy',
    type: { kind: 'enum', values: ['noeviction'] },
    defaultValue: 'noeviction',
  },
  { name: 'hz', type: { kind: 'int', min: 1, max: 500 }, defaultValue: '10' },
  {
    name: 'loglevel',
    type: { kind: 'enum', values: ['debug', 'verbose', 'notice', 'warning', 'nothing'] },
    defaultValue: 'notice',
  },
  {
    name: 'client-output-buffer-limit',
    type: { kind: 'string' },
    defaultValue: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
  },
  // Redis's encoding knobs, with redis-server 7.0's defaults: accepted and reported so that test suites written for
  // Redis (which set them before their first test) run; this engine's encodings do not follow them
  {
    name: 'hash-max-listpack-entries',
    alias: 'hash-max-ziplist-entries',
    type: { kind: 'int', min: 0, max: LLONG_MAX },
    defaultValue: '512',
  },
  {
    name: 'hash-max-listpack-value',
    alias: 'hash-max-ziplist-value',
    type: { kind: 'memory', min: 0, max: LLONG_MAX },
    defaultValue: '64',
  },
  {
    name: 'zset-max-listpack-entries',
    alias: 'zset-max-ziplist-entries',
    type: { kind: 'int', min: 0, max: LLONG_MAX },
    defaultValue: '128',
  },
  {
    name: 'zset-max-listpack-value',
    alias: 'zset-max-ziplist-value',
    type: { kind: 'memory', min: 0, max: LLONG_MAX },
    defaultValue: '64',
  },
  {
    name: 'list-max-listpack-size',
    alias: 'list-max-ziplist-size',
    type: { kind: 'int', min: -2147483648, max: INT_MAX },
    defaultValue: '-2',
  },
  { name: 'list-compress-depth', type: { kind: 'int', min: 0, max: INT_MAX }, defaultValue: '0' },
  { name: 'set-max-intset-entries', type: { kind: 'int', min: 0, max: LLONG_MAX }, defaultValue: '512' },
];

const BY_NAME = new Map(
  PARAMS.flatMap((p) => (p.alias ? [[p.name, p] as const, [p.alias, p] as const] : [[p.name, p] as const])),
);

/** Redis's memtoull: digits with an optional k/kb/m/mb/g/gb unit (case-insensitive). */
export function parseMemory(s: string): number | undefined {
  const m = /^(\d+)(k|kb|m|mb|g|gb|b)?$/i.exec(s);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase();
  const mul: Record<string, number> = { b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1]) * mul[unit]!;
}

export interface OutputBufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export class RuntimeConfig {
  private readonly values = new Map<string, string>();
  private readonly numbers = new Map<string, number>();

  constructor(initial: Record<string, string | number> = {}) {
    for (const p of PARAMS) this.values.set(p.name, p.defaultValue);
    for (const [k, v] of Object.entries(initial)) {
      if (!BY_NAME.has(k)) throw new Error(`unknown config parameter '${k}'`);
      this.values.set(k, String(v));
    }
  }

  get(name: string): string {
    return this.values.get(name) ?? '';
  }

  /** Numeric value of a parameter; cached because the RESP server reads its limits on every read event. */
  getNumber(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = Number(this.values.get(name) ?? 0);
      this.numbers.set(name, n);
    }
    return n;
  }

  /** CONFIG GET: every parameter matching the glob pattern, as [name, value] pairs. */
  match(pattern: Buffer): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const lower = Buffer.from(pattern.toString('latin1').toLowerCase(), 'latin1');
    for (const p of PARAMS) {
      for (const name of p.alias ? [p.name, p.alias] : [p.name])
        if (globMatch(lower, Buffer.from(name, 'latin1'))) out.push([name, this.get(p.name)]);
    }
    return out;
  }

  /** Validates and applies one CONFIG SET pair; returns Redis's error text, or undefined on success. */
  set(name: string, raw: string): string | undefined {
    const given = name.toLowerCase();
    const p = BY_NAME.get(given);
    if (!p) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
    const fail = (why: string) => `ERR CONFIG SET failed (possibly related to argument '${given}') - ${why}`;
    if (p.immutable) return fail("can't set immutable config");
    let value = raw;
    const t = p.type;
    switch (t.kind) {
      case 'int': {
        if (!/^-?\d+$/.test(raw)) return fail("argument couldn't be parsed into an integer");
        const n = Number(raw);
        if (n < t.min || n > t.max)
          return fail(`argument must be between ${bound(t.min)} and ${bound(t.max)} inclusive`);
        value = String(n);
        break;
      }
      case 'memory': {
        const n = parseMemory(raw);
        if (n === undefined) return fail('argument must be a memory value');
        if (n < t.min || n > t.max)
          return fail(`argument must be between ${bound(t.min)} and ${bound(t.max)} inclusive`);
        value = String(n);
        break;
      }
      case 'bool': {
        const v = raw.toLowerCase();
        if (v !== 'yes' && v !== 'no') return fail("argument must be 'yes' or 'no'");
        value = v;
        break;
      }
      case 'enum': {
        const v = raw.toLowerCase();
        if (!t.values.includes(v)) return fail(`argument(s) must be one of the following: ${t.values.join(', ')}`);
        value = v;
        break;
      }
      case 'string': {
        if (p.name === 'client-output-buffer-limit') {
          const merged = mergeOutputBufferLimits(this.get(p.name), raw);
          if (merged === undefined) return fail('Wrong number of arguments in buffer limit configuration.');
          value = merged;
        }
        break;
      }
    }
    if (p.accepts && !p.accepts.includes(value)) return fail('this server does not support that value');
    this.values.set(p.name, value);
    this.numbers.delete(p.name);
    return undefined;
  }

  /** client-output-buffer-limit for one class (normal, slave, pubsub). */
  outputBufferLimit(cls: 'normal' | 'slave' | 'pubsub'): OutputBufferLimit {
    const parts = this.get('client-output-buffer-limit').split(' ');
    for (let i = 0; i + 3 < parts.length; i += 4) {
      if (parts[i] === cls) {
        return { hard: Number(parts[i + 1]), soft: Number(parts[i + 2]), softSeconds: Number(parts[i + 3]) };
      }
    }
    return { hard: 0, soft: 0, softSeconds: 0 };
  }
}

function mergeOutputBufferLimits(current: string, update: string): string | undefined {
  const cur = current.split(' ');
  const up = update.trim().split(/\s+/);
  if (up.length % 4 !== 0) return undefined;
  for (let i = 0; i < up.length; i += 4) {
    const cls = up[i]!.toLowerCase();
    if (cls !== 'normal' && cls !== 'slave' && cls !== 'replica' && cls !== 'pubsub') return undefined;
    const nums = up.slice(i + 1, i + 4).map((x) => (/^\d+$/.test(x!) ? String(Number(x)) : parseMemoryStr(x!)));
    if (nums.some((n) => n === undefined)) return undefined;
    const name = cls === 'replica' ? 'slave' : cls;
    const at = cur.indexOf(name);
    cur.splice(at, 4, name, ...(nums as string[]));
  }
  return cur.join(' ');
}

function parseMemoryStr(s: string): string | undefined {
  const n = parseMemory(s);
  return n === undefined ? undefined : String(n);
}
