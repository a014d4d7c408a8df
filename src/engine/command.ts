/**
 * The shape of one command. Each command lives in its own file under commands/<group>/ and exports one
 * CommandSpec; commands/index.ts lists them all explicitly and commands/table.ts validates the list at start-up.
 *
 * Arity follows Redis: a positive number is the exact argc (including the command name), a negative number
 * -N means "at least N".
 */
import type { Engine } from './engine';
import type { Keyspace } from './keyspace';
import type { Reply } from './reply';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'fast'
  | 'no_auth'
  | 'allow_busy'
  | 'no_multi'
  /** handled by the connection layer (AUTH, HELLO, MULTI, SUBSCRIBE…): `run` is only reached without one */
  | 'connection';

export type CommandGroup =
  | 'generic'
  | 'string'
  | 'hash'
  | 'sorted-set'
  | 'list'
  | 'set'
  | 'server'
  | 'connection'
  | 'transactions'
  | 'pubsub'
  | 'geo'
  | 's3index';

/**
 * Redis ACL categories (without the '@'). Most follow from a command's flags and group (see acl.ts); a spec lists
 * only the extra ones in `acl`, as Redis's command JSON does in `acl_categories` (e.g. KEYS is 'dangerous').
 */
export type AclCategory =
  | 'keyspace'
  | 'read'
  | 'write'
  | 'set'
  | 'sortedset'
  | 'list'
  | 'hash'
  | 'string'
  | 'bitmap'
  | 'hyperloglog'
  | 'geo'
  | 'stream'
  | 'pubsub'
  | 'admin'
  | 'fast'
  | 'slow'
  | 'blocking'
  | 'dangerous'
  | 'connection'
  | 'transaction'
  | 'scripting'
  | 's3index';

/** Redis's flags of its administrative subcommands (CONFIG SET, CLIENT KILL, …): @admin and @dangerous. */
export const ADMIN_FLAGS: readonly CommandFlag[] = Object.freeze(['admin', 'noscript', 'loading', 'stale']);

/** A subcommand of a container command (CONFIG GET, CLIENT KILL, …). */
export interface SubcommandSpec {
  /** lower case */
  readonly name: string;
  readonly arity: number;
  readonly summary: string;
  /** its own flags, as in Redis's JSON; the container's flags when absent */
  readonly flags?: readonly CommandFlag[];
  /** extra ACL categories; the container's `acl` when absent */
  readonly acl?: readonly AclCategory[];
}

export interface KeySpec {
  /** argv index of the first key (0 when the command takes no key) */
  first: number;
  /** argv index of the last key; negative counts from the end (-1 = last argument) */
  last: number;
  step: number;
}

export const NO_KEYS: KeySpec = Object.freeze({ first: 0, last: 0, step: 0 });

/**
 * Per-connection state a command may read (SELECT, CLIENT…). Front ends without connections (HTTP, Lambda)
 * pass a fresh default session.
 */
export interface Session {
  id: number;
  db: number;
  name?: string;
  resp: 2 | 3;
}

export interface CommandContext {
  readonly engine: Engine;
  readonly db: Keyspace;
  readonly argv: Buffer[];
  /** ms since the epoch, read once for the whole command */
  readonly now: number;
  readonly session: Session;
}

/**
 * A blocking command, as the RESP connection layer (src/server/blocking.ts) sees it. The engine's `run` is the
 * non-blocking attempt: it serves from the first key that has something, else replies `nothing` (what Redis answers
 * inside MULTI). A connection that got `nothing` waits on `keys` until one of them is written, then runs
 * `servedFrom(argv, key)` — the same command naming only that key — or answers `nothing` when the timeout passes.
 */
export interface BlockingSpec {
  /** the type of value waited for: a key holding another type does not wake the client */
  readonly waitsFor: 'list' | 'zset';
  /** argv index of the timeout (seconds, a double; 0 waits forever) */
  readonly timeoutAt: (argv: Buffer[]) => number;
  /** the keys waited on, in the order they are tried */
  readonly keys: (argv: Buffer[]) => Buffer[];
  /** argv serving the client from one key that became ready */
  readonly servedFrom: (argv: Buffer[], key: Buffer) => Buffer[];
}

export interface CommandSpec {
  /** lower case, as typed by users */
  readonly name: string;
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly keys: KeySpec;
  readonly group: CommandGroup;
  /** Big-O, as in Redis's command docs */
  readonly complexity: string;
  readonly summary: string;
  readonly since: string;
  /** ACL categories beyond those implied by the flags and the group (acl.ts) */
  readonly acl?: readonly AclCategory[];
  /** subcommands with their own arity (CONFIG GET, OBJECT ENCODING, …), lower case */
  readonly subcommands?: readonly SubcommandSpec[];
  /**
   * Every key of a command whose keys follow a numkeys argument (Redis's "movablekeys": ZUNION, ZMPOP, …), which
   * the `keys` triplet cannot describe. COMMAND GETKEYS and WATCH-style lookups use it.
   */
  readonly keysOf?: (argv: Buffer[]) => Buffer[];
  /**
   * The `keys` triplet names shard channels, not keys (Redis's NOT_KEY key-spec flag: SSUBSCRIBE, SPUBLISH): COMMAND
   * INFO shows the triplet, for a cluster client to route by hash slot, but COMMAND GETKEYS names none.
   */
  readonly channelsNotKeys?: boolean;
  /** how a blocking command (BLPOP, BZPOPMIN, …) waits; `run` itself never waits (see commands/blocking.ts) */
  readonly blocking?: BlockingSpec;
  /**
   * The keys a write command writes, when that is not all of `keys` (COPY writes only its destination,
   * ZRANGESTORE only dst): reserved key prefixes are checked against these.
   */
  readonly writes?: KeySpec;
  /** The keys a write command writes when only parsing finds them (GEORADIUS … STORE dst): used instead of `writes`. */
  readonly writesOf?: (argv: Buffer[]) => Buffer[];
  run(ctx: CommandContext): Reply;
}

/** Keys named by a command's argv according to its key spec (used by WATCH, COMMAND GETKEYS, cluster tags). */
export function commandKeys(spec: CommandSpec, argv: Buffer[]): Buffer[] {
  if (spec.keysOf) return spec.keysOf(argv);
  if (spec.channelsNotKeys) return [];
  return keysAt(spec.keys, argv);
}

/** The arguments a key triplet names. */
export function keysAt(keys: KeySpec, argv: Buffer[]): Buffer[] {
  const { first, last, step } = keys;
  if (first === 0) return [];
  const end = last < 0 ? argv.length + last : last;
  const out: Buffer[] = [];
  for (let i = first; i <= end && i < argv.length; i += step) out.push(argv[i]!);
  return out;
}

/** The keys a write command writes (see `writes`): its triplet's, or every key when they are movable (ZMPOP). */
export function writtenKeys(spec: CommandSpec, argv: Buffer[]): Buffer[] {
  if (spec.writesOf) return spec.writesOf(argv);
  if (spec.writes) return keysAt(spec.writes, argv);
  return spec.keys.first > 0 ? keysAt(spec.keys, argv) : (spec.keysOf?.(argv) ?? []);
}
