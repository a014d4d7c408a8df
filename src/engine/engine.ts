/**
 * The engine: 16 logical databases, the command table and the single `execute(argv)` entry point that every
 * front end (RESP server, HTTP, Lambda, CLI) calls. Single-threaded by design: one command runs at a time,
 * to completion.
 */
import { type Clock, systemClock } from './clock';
import {
  type CommandContext,
  type CommandGroup,
  type CommandSpec,
  type KeySpec,
  type Session,
  writtenKeys,
} from './command';
import { type CommandStat, CommandStats } from './command-stats';
import { COMMANDS } from './commands/index';
import { validateTable } from './commands/table';
import { sanitize, unknownCommand, wrongArity } from './errors';
import { Keyspace, type KeyspaceListener } from './keyspace';
import type { Reply } from './reply';
import type { Value } from './values';

export const DATABASES = 16;

export interface EngineOptions {
  clock?: Clock;
  databases?: number;
  /** extra commands (e.g. the S3 index's) added to the built-in table */
  extraCommands?: readonly CommandSpec[];
  /** keys only the commands of one group may write (the S3 index's `s3idx:` keys) */
  reservedKeys?: ReservedKeys;
  /** DUMP and RESTORE's serialization (the RDB value format lives in the persistence layer); absent: they answer an error */
  valueCodec?: ValueCodec;
}

/** A value as DUMP's payload and back (Redis's format: RDB type and value, RDB version, CRC64). */
export interface ValueCodec {
  dump(v: Value): Buffer;
  /** the value, or the error RESTORE answers (Redis's wording) */
  restore(payload: Buffer): Value | Reply;
}

/**
 * A key prefix that only the commands of `owner` write. Every other write command naming such a key among the
 * keys it writes is refused before it runs, with `refusal(key)`; reads stay allowed.
 */
export interface ReservedKeys {
  readonly prefix: string;
  readonly owner: CommandGroup;
  refusal(key: string): Reply;
}

/**
 * What persistence sees of the writes (src/persistence): `before` runs before every write command with the keys it
 * will write in database `db` (undefined when they are not known: FLUSHALL, SWAPDB, MOVE, index batches), so a
 * snapshot being written can save their state first; `after` runs once the command changed something, with the
 * time it ran at, so the command can be logged and replayed exactly.
 */
export interface WriteHook {
  before(db: number, keys: readonly Buffer[] | undefined): void;
  after(db: number, argv: readonly Buffer[], now: number): void;
}

/** Write commands whose keys may live in another database than the session's: their keys count as unknown. */
const CROSS_DB_WRITES = new Set(['move', 'copy']);

export interface EngineStats {
  commandsProcessed: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

let nextSessionId = 1;
export function newSession(): Session {
  return { id: nextSessionId++, db: 0, resp: 2 };
}

export class Engine implements KeyspaceListener {
  readonly clock: Clock;
  readonly dbs: Keyspace[];
  readonly table: Map<string, CommandSpec>;
  readonly stats: EngineStats = { commandsProcessed: 0, keyspaceHits: 0, keyspaceMisses: 0 };
  /** INFO commandstats / errorstats figures */
  readonly commandStats: CommandStats;
  readonly startedAt: number;
  /** bumped on every change; persistence compares it to decide whether a snapshot is due */
  dirty = 0;
  private readonly modifiedListeners: Array<(db: number, key: string, member?: Uint8Array) => void> = [];
  private readonly flushListeners: Array<(db: number) => void> = [];
  private readonly swapListeners: Array<(a: number, b: number) => void> = [];
  private readonly defaultSession = newSession();
  private readonly reserved: ReservedKeys | undefined;
  private readonly reservedPrefix: Buffer;
  /** the write commands a reserved prefix applies to */
  private readonly guarded: Set<CommandSpec>;
  /** every write command (the ones `writeHook` sees) */
  private readonly writeCommands: Set<CommandSpec>;
  /** set by persistence while the engine's writes are logged or a snapshot is written */
  writeHook: WriteHook | undefined;
  readonly valueCodec: ValueCodec | undefined;

  constructor(opts: EngineOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    const n = opts.databases ?? DATABASES;
    this.dbs = Array.from({ length: n }, (_, i) => new Keyspace(i, this));
    const all = [...COMMANDS, ...(opts.extraCommands ?? [])];
    validateTable(all);
    this.table = new Map(all.map((c) => [c.name, c]));
    this.commandStats = new CommandStats(all);
    this.reserved = opts.reservedKeys;
    this.valueCodec = opts.valueCodec;
    this.reservedPrefix = Buffer.from(this.reserved?.prefix ?? '', 'utf8');
    const owner = this.reserved?.owner;
    this.guarded = new Set(owner ? all.filter((s) => s.group !== owner && s.flags.includes('write')) : []);
    this.writeCommands = new Set(all.filter((s) => s.flags.includes('write')));
    this.startedAt = this.clock.now();
  }

  /** Looks a command up by its (case-insensitive) name. */
  lookupCommand(name: Buffer | string): CommandSpec | undefined {
    const s = typeof name === 'string' ? name : name.toString('latin1');
    return this.table.get(s) ?? this.table.get(s.toLowerCase());
  }

  /**
   * Runs one command. Never throws for bad input: unknown commands, wrong arity and every Redis error come back
   * as error replies. `session` carries the selected database (defaults to db 0).
   */
  execute(argv: Buffer[], session: Session = this.defaultSession): Reply {
    if (argv.length === 0) return { t: 'error', v: 'ERR empty command' };
    const spec = this.lookupCommand(argv[0]!);
    if (!spec) return this.refuse(undefined, argv, unknownCommand(argv[0]!, argv.slice(1)));
    if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity)
      return this.refuse(spec, argv, wrongArity(spec.name));
    return this.run(spec, argv, session);
  }

  /**
   * A command refused before it ran (spec undefined for an unknown command): counted in INFO commandstats
   * (rejected_calls) and errorstats, like Redis. Front ends with checks of their own (NOAUTH, MULTI) call it too.
   */
  refuse(spec: CommandSpec | undefined, argv: Buffer[], r: Reply): Reply {
    this.commandStats.refused(spec, argv, r);
    return r;
  }

  /**
   * Runs an already looked-up and arity-checked command (the RESP server's MULTI/EXEC path uses this). `now`
   * defaults to the clock; the RESP server passes a time it read at most a few commands earlier in the same batch.
   * `counted` false leaves it out of INFO commandstats: a blocked command served later was counted when it first ran.
   */
  run(spec: CommandSpec, argv: Buffer[], session: Session, now = this.clock.now(), counted = true): Reply {
    if (this.guarded.has(spec)) {
      const key = this.reservedKeyWritten(spec, argv);
      if (key !== undefined) return this.refuse(spec, argv, this.reserved!.refusal(sanitize(key, 128)));
    }
    const ctx: CommandContext = {
      engine: this,
      db: this.dbs[session.db] ?? this.dbs[0]!,
      argv,
      now,
      session,
    };
    if (counted) this.stats.commandsProcessed++;
    const stats = this.commandStats;
    const hook = this.writeHook !== undefined && this.writeCommands.has(spec) ? this.writeHook : undefined;
    let dirtyBefore = 0;
    if (hook !== undefined) {
      const keys = CROSS_DB_WRITES.has(spec.name) ? [] : writtenKeys(spec, argv);
      hook.before(ctx.db.id, keys.length > 0 ? keys : undefined);
      dirtyBefore = this.dirty;
    }
    const t0 = stats.timed(spec) ? performance.now() : -1;
    const r = spec.run(ctx);
    if (hook !== undefined && this.dirty !== dirtyBefore) hook.after(ctx.db.id, argv, now);
    // like Redis, a command is counted once it ran (INFO commandstats does not count itself; RESETSTAT does)
    if (counted) stats.ran(spec, argv, t0 < 0 ? -1 : (performance.now() - t0) * 1000, r);
    return r;
  }

  /** The first reserved key among the keys this write command writes, if any (a refusal names it, cut short). */
  private reservedKeyWritten(spec: CommandSpec, argv: Buffer[]): string | undefined {
    if (spec.writesOf) {
      for (const k of spec.writesOf(argv)) if (this.isReserved(k)) return k.toString('utf8');
      return undefined;
    }
    const ks: KeySpec = spec.writes ?? spec.keys;
    if (ks.first > 0) {
      const end = ks.last < 0 ? argv.length + ks.last : Math.min(ks.last, argv.length - 1);
      for (let i = ks.first; i <= end; i += ks.step) {
        if (this.isReserved(argv[i]!)) return argv[i]!.toString('utf8');
      }
      return undefined;
    }
    for (const k of spec.keysOf?.(argv) ?? []) if (this.isReserved(k)) return k.toString('utf8');
    return undefined;
  }

  private isReserved(key: Buffer): boolean {
    const p = this.reservedPrefix;
    return key.length >= p.length && key[0] === p[0] && key.compare(p, 0, p.length, 0, p.length) === 0;
  }

  /** Per command figures since start (or CONFIG RESETSTAT), by lower-case name, for commands called or refused. */
  callStats(): Map<string, CommandStat> {
    return this.commandStats.byCommand(this.table.values());
  }

  resetCallStats(): void {
    this.commandStats.reset();
  }

  /** Convenience for tests and the CLI: execute with string arguments. */
  exec(...args: Array<string | number | Buffer>): Reply {
    return this.execute(args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8'))));
  }

  /** Bounded active expiry over every database; front ends call this on a timer. */
  activeExpire(budgetPerDb = 200): number {
    const now = this.clock.now();
    let n = 0;
    for (const db of this.dbs) n += db.activeExpire(now, budgetPerDb);
    return n;
  }

  onModified(fn: (db: number, key: string, member?: Uint8Array) => void): void {
    this.modifiedListeners.push(fn);
  }

  /** `fn` runs before a database is emptied, while its keys are still there. */
  onFlush(fn: (db: number) => void): void {
    this.flushListeners.push(fn);
  }

  /** `fn` runs before SWAPDB exchanges databases a and b. */
  onSwap(fn: (a: number, b: number) => void): void {
    this.swapListeners.push(fn);
  }

  /** SWAPDB: databases a and b exchange their contents (O(1): the two Keyspace objects trade places). */
  swapDbs(a: number, b: number): void {
    if (a === b) return;
    for (const fn of this.swapListeners) fn(a, b);
    const x = this.dbs[a]!;
    const y = this.dbs[b]!;
    this.dbs[a] = y;
    this.dbs[b] = x;
    y.id = a;
    x.id = b;
    this.dirty++;
  }

  keyModified(db: number, key: string, member?: Uint8Array): void {
    this.dirty++;
    for (const fn of this.modifiedListeners) fn(db, key, member);
  }

  flushed(db: number): void {
    this.dirty++;
    for (const fn of this.flushListeners) fn(db);
  }
}
