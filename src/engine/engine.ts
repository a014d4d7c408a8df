/**
 * The engine: 16 logical databases, the command table and the single `execute(argv)` entry point that every
 * front end (RESP server, HTTP, Lambda, CLI) calls. Single-threaded by design: one command runs at a time,
 * to completion.
 */
import { type Clock, systemClock } from './clock';
import type { CommandContext, CommandSpec, Session } from './command';
import { COMMANDS } from './commands/index';
import { validateTable } from './commands/table';
import { unknownCommand, wrongArity } from './errors';
import { Keyspace, type KeyspaceListener } from './keyspace';
import type { Reply } from './reply';

export const DATABASES = 16;

export interface EngineOptions {
  clock?: Clock;
  databases?: number;
  /** extra commands (e.g. the S3 index's) added to the built-in table */
  extraCommands?: readonly CommandSpec[];
}

export interface EngineStats {
  commandsProcessed: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

/**
 * Per-command call counts live in a Float64Array per engine, indexed by a slot that each CommandSpec gets once (a
 * symbol-keyed property): bumping it costs an indexed add, where a Map keyed by name cost a lookup and a store on
 * every command.
 */
const CALL_SLOT: unique symbol = Symbol('s3-index call-count slot');
type Slotted = CommandSpec & { [CALL_SLOT]?: number };
let nextCallSlot = 0;
function callSlotOf(spec: CommandSpec): number {
  const s = spec as Slotted;
  let slot = s[CALL_SLOT];
  if (slot === undefined) {
    slot = nextCallSlot++;
    s[CALL_SLOT] = slot;
  }
  return slot;
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
  private callCounts = new Float64Array(0);
  readonly startedAt: number;
  /** bumped on every change; persistence compares it to decide whether a snapshot is due */
  dirty = 0;
  private readonly modifiedListeners: Array<(db: number, key: string) => void> = [];
  private readonly flushListeners: Array<(db: number) => void> = [];
  private readonly swapListeners: Array<(a: number, b: number) => void> = [];
  private readonly defaultSession = newSession();

  constructor(opts: EngineOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    const n = opts.databases ?? DATABASES;
    this.dbs = Array.from({ length: n }, (_, i) => new Keyspace(i, this));
    const all = [...COMMANDS, ...(opts.extraCommands ?? [])];
    validateTable(all);
    this.table = new Map(all.map((c) => [c.name, c]));
    for (const c of all) callSlotOf(c);
    this.callCounts = new Float64Array(nextCallSlot);
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
    if (!spec) return unknownCommand(argv[0]!, argv.slice(1));
    if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) return wrongArity(spec.name);
    return this.run(spec, argv, session);
  }

  /**
   * Runs an already looked-up and arity-checked command (the RESP server's MULTI/EXEC path uses this). `now`
   * defaults to the clock; the RESP server passes a time it read at most a few commands earlier in the same batch.
   */
  run(spec: CommandSpec, argv: Buffer[], session: Session, now = this.clock.now()): Reply {
    const ctx: CommandContext = {
      engine: this,
      db: this.dbs[session.db] ?? this.dbs[0]!,
      argv,
      now,
      session,
    };
    this.stats.commandsProcessed++;
    const r = spec.run(ctx);
    // like Redis, a command is counted once it ran (INFO commandstats does not count itself; RESETSTAT does)
    if (spec.subcommands !== undefined) {
      this.countSubcommand(spec, argv);
      return r;
    }
    const slot = (spec as Slotted)[CALL_SLOT] ?? callSlotOf(spec);
    if (slot >= this.callCounts.length) this.growCallCounts();
    this.callCounts[slot]!++;
    return r;
  }

  /** Container commands count per subcommand, as `config|get` (Redis 7); an unknown subcommand counts nowhere. */
  private countSubcommand(spec: CommandSpec, argv: Buffer[]): void {
    const sub = argv[1]?.toString('latin1').toLowerCase();
    if (sub === undefined || !spec.subcommands!.some((s) => s.name === sub)) return;
    const name = `${spec.name}|${sub}`;
    this.subcommandCalls.set(name, (this.subcommandCalls.get(name) ?? 0) + 1);
  }
  private readonly subcommandCalls = new Map<string, number>();

  private growCallCounts(): void {
    const grown = new Float64Array(Math.max(nextCallSlot, this.callCounts.length * 2));
    grown.set(this.callCounts);
    this.callCounts = grown;
  }

  /**
   * Calls per command since start (or CONFIG RESETSTAT), by lower-case name (`container|subcommand` for container
   * commands), for the commands called at least once.
   */
  callStats(): Map<string, number> {
    const out = new Map<string, number>();
    for (const spec of this.table.values()) {
      const n = this.callCounts[(spec as Slotted)[CALL_SLOT] ?? -1] ?? 0;
      if (n > 0) out.set(spec.name, n);
    }
    for (const [name, n] of this.subcommandCalls) out.set(name, n);
    return out;
  }

  resetCallStats(): void {
    this.callCounts.fill(0);
    this.subcommandCalls.clear();
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

  onModified(fn: (db: number, key: string) => void): void {
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

  keyModified(db: number, key: string): void {
    this.dirty++;
    for (const fn of this.modifiedListeners) fn(db, key);
  }

  flushed(db: number): void {
    this.dirty++;
    for (const fn of this.flushListeners) fn(db);
  }
}
