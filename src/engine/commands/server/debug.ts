/**
 * DEBUG: the subcommands external test suites (Redis's and Valkey's Tcl tests in external mode) run before or
 * between their tests. SET-ACTIVE-EXPIRE stops and restarts the active expiry sweep of the RESP server (keys still
 * expire on access), SLEEP blocks the server for that many seconds as Redis does, OBJECT describes a key's value
 * (its encoding as OBJECT ENCODING gives it), QUICKLIST-PACKED-THRESHOLD is accepted (lists here have no plain nodes,
 * so it changes nothing), RELOAD does what Redis's does, in memory: the whole dataset is written
 * as an RDB file and read back into fresh databases, which replace the current ones (values, encodings and TTLs go
 * through the RDB round trip; keys already expired are dropped). The RDB code lives in the persistence layer, above
 * the engine: the process that serves provides it (`provideDebugReload`, called by `s3-index serve`); without it
 * RELOAD answers an error.
 */
import { ADMIN_FLAGS, type CommandSpec, NO_KEYS } from '../../command';
import type { Engine } from '../../engine';
import { array, error, OK, type Reply, simple } from '../../reply';
import { keyOf } from '../../values';
import { objectEncoding } from '../keys/object';
import { parseMemory } from './runtime-config';
import { serverStateOf } from './server-state';

const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'OBJECT <key>',
  '    Show low-level info about `key` and associated value.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes (accepted; no effect here).',
  'RELOAD',
  '    Save the RDB on disk and reload it back to memory (here: written and read back in memory).',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not accessed (otherwise the Redis behavior). Setting it to 1 reenables back the default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Prints this help.',
];

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Writes the engine's dataset as RDB and swaps in what reads back; throws with the reason when it cannot. */
export type DebugReload = (engine: Engine) => void;

let reloader: DebugReload | undefined;

/** Installs what DEBUG RELOAD runs (the persistence layer's RDB round trip). */
export function provideDebugReload(fn: DebugReload): void {
  reloader = fn;
}

export const debug: CommandSpec = {
  name: 'debug',
  arity: -2,
  flags: ADMIN_FLAGS,
  keys: NO_KEYS,
  group: 'server',
  complexity: 'Depends on subcommand.',
  summary: 'A container for debugging commands.',
  since: '1.0.0',
  run({ engine, argv, db, now }): Reply {
    const sub = argv[1]!.toString('latin1').toLowerCase();
    switch (sub) {
      case 'help':
        return array(HELP.map(simple));
      case 'set-active-expire': {
        if (argv.length !== 3) break;
        serverStateOf(engine).activeExpire = argv[2]!.toString('latin1') !== '0';
        return OK;
      }
      case 'sleep': {
        if (argv.length !== 3) break;
        // as Redis's atof: what does not parse sleeps 0 seconds
        const seconds = Number.parseFloat(argv[2]!.toString('latin1')) || 0;
        // as Redis: the whole server stops (this engine is single-threaded too)
        if (seconds > 0) Atomics.wait(sleeper, 0, 0, seconds * 1000);
        return OK;
      }
      case 'object': {
        if (argv.length !== 3) break;
        const v = db.lookup(keyOf(argv[2]!), now);
        if (v === undefined) return error('ERR no such key');
        return simple(
          `Value at:0x0 refcount:1 encoding:${objectEncoding(v)} serializedlength:0 lru:0 lru_seconds_idle:0`,
        );
      }
      case 'quicklist-packed-threshold': {
        if (argv.length !== 3) break;
        // Redis stores lists' large elements in nodes of their own past this size; this engine's lists have no such
        // nodes, so the value is checked as Redis checks it and changes nothing
        const size = parseMemory(argv[2]!.toString('latin1'));
        if (size === undefined || size >= 2 ** 32 - 2 ** 20)
          return error('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
        return OK;
      }
      case 'reload': {
        // Redis's MERGE / NOFLUSH / NOSAVE options change what is saved or flushed: not offered here
        if (argv.length !== 2) return error('ERR DEBUG RELOAD takes no options on this server');
        if (reloader === undefined) return error('ERR DEBUG RELOAD is not available in this process');
        try {
          reloader(engine);
        } catch (err) {
          return error(`ERR Error trying to load the RDB dump: ${err instanceof Error ? err.message : String(err)}`);
        }
        return OK;
      }
    }
    return error(
      `ERR unknown subcommand or wrong number of arguments for '${argv[1]!.toString('utf8')}'. Try DEBUG HELP.`,
    );
  },
};
