/**
 * MEMORY: USAGE estimates the bytes a key and its value take, the way Redis's objectComputeSize does: the key's
 * entry and name, plus the value's representation, computed from SAMPLES elements (default 5, 0 = all) and scaled
 * to the whole value. The figures are a model of Redis's layouts (dict entries, sds headers, listpack and intset
 * bytes, quicklist nodes), not a measurement of this process's heap: what USAGE is for is comparing keys with each
 * other and spotting big ones. Sorted sets report the bytes the B+tree holds them in. STATS reports the process's
 * memory figures, DOCTOR and MALLOC-STATS answer as Redis does with nothing to say, PURGE is a no-op.
 */
import { type CommandContext, type CommandSpec, NO_KEYS } from '../../command';
import type { Engine } from '../../engine';
import { NOT_INTEGER, SYNTAX, unknownSubcommand, wrongArity } from '../../errors';
import { parseInt64 } from '../../numbers';
import { array, bulkStr, int, map, NULL, OK, type Reply, simple, verbatim } from '../../reply';
import type { Value } from '../../values';
import { optName } from '../arguments';
import { isSmallHash } from '../hash/access';
import { lookupRead } from '../keys/lookup';
import { setEncoding } from '../set/access';
import { stringEncoding } from '../string/value';

const DEFAULT_SAMPLES = 5;
/** a dict entry (key, value, next) and the value's object header */
const ENTRY_OVERHEAD = 24 + 16;

/** The bytes of an sds string of `len` bytes: header (1 to 9 bytes), the bytes, the terminating NUL. */
function sdsBytes(len: number): number {
  const header = len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : 9;
  return header + len + 1;
}

/** The bytes of one listpack entry holding `len` bytes (encoding byte(s), the bytes, the back-length). */
function listpackEntryBytes(len: number): number {
  const head = len < 64 ? 1 : len < 4096 ? 2 : 5;
  const total = head + len;
  return total + (total < 128 ? 1 : total < 16384 ? 2 : 3);
}

/** Sums `size` over at most `samples` of `items` and scales the sum to all `count` of them. */
function sampled<T>(items: Iterable<T>, count: number, samples: number, size: (item: T) => number): number {
  let sum = 0;
  let seen = 0;
  for (const item of items) {
    if (seen >= samples) break;
    sum += size(item);
    seen++;
  }
  return seen === 0 ? 0 : Math.round((sum / seen) * count);
}

/** The modelled size of a value, its object header included. */
function valueBytes(v: Value, samples: number): number {
  switch (v.type) {
    case 'string': {
      // an integer lives in the object header's pointer; an embstr shares the header's allocation, a raw string has
      // its own (the header is counted in ENTRY_OVERHEAD either way)
      return stringEncoding(v) === 'int' ? 0 : sdsBytes(v.v.length);
    }
    case 'hash': {
      const fields = v.v;
      if (isSmallHash(fields)) {
        return (
          7 +
          sampled(
            fields,
            fields.size,
            samples,
            ([f, val]) => listpackEntryBytes(f.length) + listpackEntryBytes(val.length),
          )
        );
      }
      const table = 48 + 8 * 2 ** Math.ceil(Math.log2(Math.max(4, fields.size)));
      return (
        table + sampled(fields, fields.size, samples, ([f, val]) => 24 + sdsBytes(f.length) + sdsBytes(val.length))
      );
    }
    case 'set': {
      const members = v.v;
      if (setEncoding(members) === 'intset') {
        let width = 2;
        for (const m of members) {
          const n = parseInt64(m)!;
          if (n < -2147483648n || n > 2147483647n) width = 8;
          else if ((n < -32768n || n > 32767n) && width < 4) width = 4;
        }
        return 8 + width * members.size;
      }
      const table = 48 + 8 * 2 ** Math.ceil(Math.log2(Math.max(4, members.size)));
      return table + sampled(members, members.size, samples, (m) => 24 + sdsBytes(m.length));
    }
    case 'list': {
      const list = v.v;
      const nodes = Math.ceil(list.length / 128);
      const elements = sampled(list.range(0, Math.min(list.length, samples) - 1), list.length, samples, (b) =>
        listpackEntryBytes(b.length),
      );
      // the quicklist header, and per node its header (32 bytes) and listpack header and end byte (7)
      return 40 + nodes * (32 + 7) + elements;
    }
    case 'zset':
      return v.v.byteSize();
  }
}

/** MEMORY USAGE's figure for a key holding `v`: entry, key name, object header and value. */
export function memoryUsage(key: Buffer, v: Value, samples = DEFAULT_SAMPLES): number {
  return ENTRY_OVERHEAD + sdsBytes(key.length) + valueBytes(v, samples);
}

function usage(ctx: CommandContext): Reply {
  const { argv } = ctx;
  let samples = DEFAULT_SAMPLES;
  for (let i = 3; i < argv.length; i++) {
    if (optName(argv[i]!) === 'SAMPLES' && i + 1 < argv.length) {
      const n = parseInt64(argv[i + 1]!.toString('latin1'));
      if (n === undefined) return NOT_INTEGER;
      if (n < 0n) return SYNTAX;
      samples = n === 0n ? Number.POSITIVE_INFINITY : Number(n);
      i++;
    } else {
      return SYNTAX;
    }
  }
  const v = lookupRead(ctx, argv[2]!);
  return v === undefined ? NULL : int(memoryUsage(argv[2]!, v, samples));
}

function stats(engine: Engine): Reply {
  const m = process.memoryUsage();
  let keys = 0;
  for (const db of engine.dbs) keys += db.size;
  const fields: [string, number][] = [
    // the process's resident size: what a host must be sized for
    ['total.allocated', m.rss],
    ['keys.count', keys],
    ['dataset.bytes', m.heapUsed + m.external],
  ];
  return map(fields.map(([k, v]) => [bulkStr(k), int(v)]));
}

const HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
];

function run(ctx: CommandContext): Reply {
  const sub = optName(ctx.argv[1]!);
  const n = ctx.argv.length;
  switch (sub) {
    case 'USAGE':
      return n < 3 ? wrongArity('memory|usage') : usage(ctx);
    case 'HELP':
      return n !== 2 ? wrongArity('memory|help') : array(HELP.map(simple));
    case 'STATS':
      return n !== 2 ? wrongArity('memory|stats') : stats(ctx.engine);
    case 'DOCTOR':
      return n !== 2
        ? wrongArity('memory|doctor')
        : verbatim(
            'txt',
            "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.",
          );
    case 'MALLOC-STATS':
      return n !== 2
        ? wrongArity('memory|malloc-stats')
        : verbatim('txt', 'Stats not supported for the current allocator');
    case 'PURGE':
      return n !== 2 ? wrongArity('memory|purge') : OK;
  }
  return unknownSubcommand(ctx.argv[1]!, 'memory');
}

export const memory: CommandSpec = {
  name: 'memory',
  arity: -2,
  flags: [],
  keys: NO_KEYS,
  // MEMORY USAGE's key (COMMAND GETKEYS, ACL key patterns, cluster routing)
  keysOf: (argv) => (argv.length >= 3 && optName(argv[1]!) === 'USAGE' ? [argv[2]!] : []),
  group: 'server',
  complexity: 'Depends on subcommand.',
  summary: 'A container for memory diagnostics commands',
  since: '4.0.0',
  subcommands: [
    { name: 'doctor', arity: 2, summary: 'Outputs memory problems report' },
    {
      name: 'help',
      arity: 2,
      flags: ['loading', 'stale'],
      summary: 'Show helpful text about the different subcommands',
    },
    { name: 'malloc-stats', arity: 2, summary: 'Show allocator internal stats' },
    { name: 'purge', arity: 2, summary: 'Ask the allocator to release memory' },
    { name: 'stats', arity: 2, summary: 'Show memory usage details' },
    { name: 'usage', arity: -3, flags: ['readonly'], summary: 'Estimate the memory usage of a key' },
  ],
  run,
};
