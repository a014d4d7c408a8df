/**
 * What INFO commandstats and errorstats report (Redis 7): per command its calls, the time they took, the calls that
 * returned an error (failed_calls) and those refused before running (rejected_calls: wrong arity, NOAUTH, …); and
 * error replies counted by their prefix (`errorstat_ERR:count=3`). Container commands count per subcommand
 * (`config|get`). Plain commands keep their figures in Float64Arrays per engine, indexed by a slot that each
 * CommandSpec gets once (a symbol-keyed property): a command's bookkeeping is a few indexed adds, where a Map keyed by
 * name would cost a lookup and a store on every command.
 *
 * Time is sampled: reading the clock twice costs about a tenth of a pipelined command (BENCHMARKS.md), so a plain
 * command is timed on its first call and on one call in TIME_SAMPLE after that, and `usec` is estimated as the mean
 * of the timed calls × calls. Container commands (CONFIG, OBJECT, CLIENT …) are always timed.
 */
import type { CommandSpec } from './command';
import type { Reply } from './reply';

export interface CommandStat {
  calls: number;
  usec: number;
  failed: number;
  rejected: number;
}

const SLOT: unique symbol = Symbol('s3-index command-stats slot');
type Slotted = CommandSpec & { [SLOT]?: number };
let nextSlot = 0;

function slotOf(spec: CommandSpec): number {
  const s = spec as Slotted;
  let slot = s[SLOT];
  if (slot === undefined) {
    slot = nextSlot++;
    s[SLOT] = slot;
  }
  return slot;
}

/** one call in this many of a plain command is timed (a power of two) */
const TIME_SAMPLE = 16;

/** Redis names errors by the reply's first word ("ERR", "WRONGTYPE"); at most this many distinct ones are kept. */
const MAX_ERROR_KINDS = 128;

export class CommandStats {
  private calls = new Float64Array(0);
  private usec = new Float64Array(0);
  /** calls whose time was measured (usec sums theirs) */
  private timedCalls = new Float64Array(0);
  private failed = new Float64Array(0);
  private rejected = new Float64Array(0);
  private readonly sub = new Map<string, CommandStat>();
  private readonly errors = new Map<string, number>();
  /** every error reply counted, including those beyond MAX_ERROR_KINDS kinds */
  errorReplies = 0;

  constructor(specs: Iterable<CommandSpec>) {
    for (const s of specs) slotOf(s);
    this.grow();
  }

  /** Whether to time the call about to run (see TIME_SAMPLE). */
  timed(spec: CommandSpec): boolean {
    if (spec.subcommands !== undefined) return true;
    return (this.calls[this.slot(spec)]! & (TIME_SAMPLE - 1)) === 0;
  }

  /** A command that ran, with reply r; `usec`: the µs it took when timed, else -1. */
  ran(spec: CommandSpec, argv: Buffer[], usec: number, r: Reply): void {
    const failed = r.t === 'error';
    if (failed) this.error(r.v);
    if (spec.subcommands !== undefined) {
      const st = this.subStat(spec, argv);
      if (st === undefined) return;
      st.calls++;
      if (usec >= 0) st.usec += usec;
      if (failed) st.failed++;
      return;
    }
    const slot = this.slot(spec);
    this.calls[slot]!++;
    if (usec >= 0) {
      this.usec[slot]! += usec;
      this.timedCalls[slot]!++;
    }
    if (failed) this.failed[slot]!++;
  }

  /** A command refused before it ran (unknown command when spec is undefined): counts the error and the refusal. */
  refused(spec: CommandSpec | undefined, argv: Buffer[], r: Reply): void {
    if (r.t === 'error') this.error(r.v);
    if (spec === undefined) return;
    if (spec.subcommands !== undefined) {
      const st = this.subStat(spec, argv);
      if (st !== undefined) st.rejected++;
      return;
    }
    const slot = this.slot(spec);
    this.rejected[slot]!++;
  }

  /** By lower-case name (`container|subcommand` for container commands), the commands with any figure. */
  byCommand(specs: Iterable<CommandSpec>): Map<string, CommandStat> {
    const out = new Map<string, CommandStat>();
    for (const spec of specs) {
      const slot = (spec as Slotted)[SLOT];
      if (slot === undefined || slot >= this.calls.length) continue;
      const calls = this.calls[slot]!;
      const timed = this.timedCalls[slot]!;
      const st = {
        calls,
        usec: timed > 0 ? (this.usec[slot]! * calls) / timed : 0,
        failed: this.failed[slot]!,
        rejected: this.rejected[slot]!,
      };
      if (st.calls > 0 || st.rejected > 0) out.set(spec.name, st);
    }
    for (const [name, st] of this.sub) out.set(name, { ...st });
    return out;
  }

  /** Error replies by prefix, in the order first seen. */
  errorKinds(): Map<string, number> {
    return new Map(this.errors);
  }

  reset(): void {
    for (const a of [this.calls, this.usec, this.timedCalls, this.failed, this.rejected]) a.fill(0);
    this.sub.clear();
    this.errors.clear();
    this.errorReplies = 0;
  }

  private error(message: string): void {
    this.errorReplies++;
    const space = message.indexOf(' ');
    const kind = space < 0 ? message : message.slice(0, space);
    const n = this.errors.get(kind);
    if (n !== undefined) this.errors.set(kind, n + 1);
    else if (this.errors.size < MAX_ERROR_KINDS) this.errors.set(kind, 1);
  }

  /** The figures of `container|sub`; undefined for an unknown subcommand (counted nowhere, as in Redis). */
  private subStat(spec: CommandSpec, argv: Buffer[]): CommandStat | undefined {
    const sub = argv[1]?.toString('latin1').toLowerCase();
    if (sub === undefined || !spec.subcommands!.some((s) => s.name === sub)) return undefined;
    const name = `${spec.name}|${sub}`;
    let st = this.sub.get(name);
    if (st === undefined) {
      st = { calls: 0, usec: 0, failed: 0, rejected: 0 };
      this.sub.set(name, st);
    }
    return st;
  }

  /** The slot of a plain command, its arrays grown to hold it (commands added after the engine was made). */
  private slot(spec: CommandSpec): number {
    const slot = (spec as Slotted)[SLOT] ?? slotOf(spec);
    if (slot >= this.calls.length) this.grow();
    return slot;
  }

  private grow(): void {
    const n = Math.max(nextSlot, this.calls.length * 2);
    const grown = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.calls = grown(this.calls);
    this.usec = grown(this.usec);
    this.timedCalls = grown(this.timedCalls);
    this.failed = grown(this.failed);
    this.rejected = grown(this.rejected);
  }
}
