/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, …), as Redis's blocking.c:
 *
 * - A client whose blocking command found nothing waits on its keys (per database, per key, first blocked first
 *   served) with its deadline; it reads no further commands until it is served, times out, is unblocked (CLIENT
 *   UNBLOCK) or disconnects.
 * - Every change of a key someone waits on marks it ready. After each command a connection ran (EXEC counts as one,
 *   so a transaction's pushes are seen together) the ready keys are served: while the key holds a non-empty value of
 *   the type waited for, the first waiter runs its command against that key alone (BlockingSpec.servedFrom) and is
 *   answered. A served BLMOVE may make its destination ready in turn; that is served in the same pass.
 * - Writes from elsewhere (the HTTP /redis endpoint, ingest) are served on the next microtask.
 *
 * Cost: O(1) per change of a key nobody waits on (one map lookup); serving is O(waiters served).
 */
import type { CommandSpec, Session } from '../engine/command';
import type { Engine } from '../engine/engine';
import { NULL_ARRAY, type Reply } from '../engine/reply';

/** what the registry needs of a connection */
export interface BlockedClient {
  readonly session: Session;
  /** answers the blocked command and lets the client go on with its next commands */
  unblocked(r: Reply): void;
}

interface Waiter {
  readonly client: BlockedClient;
  readonly spec: CommandSpec;
  readonly argv: Buffer[];
  readonly db: number;
  /** the keys waited on (latin1) */
  readonly keys: string[];
  /** absolute ms; 0 = forever */
  readonly deadline: number;
  timer: NodeJS.Timeout | undefined;
}

/** setTimeout's longest delay; longer waits re-arm */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class BlockingRegistry {
  /** per db: key → waiters in the order they blocked */
  private readonly waiting: Array<Map<string, Waiter[]>>;
  private readonly byClient = new Map<BlockedClient, Waiter>();
  /** keys changed since the last pass, in the order they changed: "db\0key" → [db, key] */
  private readonly ready = new Map<string, [number, string]>();
  private servingQueued = false;
  private serving = false;

  constructor(private readonly engine: Engine) {
    this.waiting = engine.dbs.map(() => new Map());
    engine.onModified((db, key) => this.touched(db, key));
    // SWAPDB: every key waited on in either database may now hold something
    // (a restore swaps each database with a loaded one at an index beyond the last: nobody waits there)
    engine.onSwap((a, b) => {
      for (const db of [a, b]) for (const key of this.waiting[db]?.keys() ?? []) this.markReady(db, key);
    });
  }

  get blockedCount(): number {
    return this.byClient.size;
  }

  isBlocked(client: BlockedClient): boolean {
    return this.byClient.has(client);
  }

  /** `client` waits on `keys` of database `db` until `deadline` (0: forever). */
  block(client: BlockedClient, spec: CommandSpec, argv: Buffer[], db: number, keys: Buffer[], deadline: number): void {
    const names = [...new Set(keys.map((k) => k.toString('latin1')))];
    const w: Waiter = { client, spec, argv, db, keys: names, deadline, timer: undefined };
    const map = this.waiting[db]!;
    for (const k of names) {
      let q = map.get(k);
      if (q === undefined) {
        q = [];
        map.set(k, q);
      }
      q.push(w);
    }
    this.byClient.set(client, w);
    if (deadline > 0) this.arm(w);
  }

  private arm(w: Waiter): void {
    const left = w.deadline - Date.now();
    w.timer = setTimeout(
      () => {
        if (w.deadline - Date.now() > 0) this.arm(w);
        else this.release(w, this.timeoutReply(w));
      },
      Math.min(Math.max(left, 0), MAX_TIMER_MS),
    );
  }

  /** What a timed-out (or CLIENT UNBLOCK … TIMEOUT) client hears: Redis 7.0 answers a null array for every type. */
  timeoutReply(_w?: unknown): Reply {
    return NULL_ARRAY;
  }

  /** CLIENT UNBLOCK: answers `r` (the timeout reply when undefined); false when the client was not blocked. */
  unblock(client: BlockedClient, r?: Reply): boolean {
    const w = this.byClient.get(client);
    if (w === undefined) return false;
    this.release(w, r ?? this.timeoutReply(w));
    return true;
  }

  /** A disconnected client: forgotten without a reply. */
  drop(client: BlockedClient): void {
    const w = this.byClient.get(client);
    if (w !== undefined) this.remove(w);
  }

  private remove(w: Waiter): void {
    if (w.timer !== undefined) clearTimeout(w.timer);
    w.timer = undefined;
    this.byClient.delete(w.client);
    const map = this.waiting[w.db]!;
    for (const k of w.keys) {
      const q = map.get(k);
      if (q === undefined) continue;
      const i = q.indexOf(w);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) map.delete(k);
    }
  }

  private release(w: Waiter, r: Reply): void {
    this.remove(w);
    w.client.unblocked(r);
  }

  private touched(db: number, key: string): void {
    const map = this.waiting[db];
    if (map === undefined || map.size === 0 || !map.has(key)) return;
    this.markReady(db, key);
  }

  private markReady(db: number, key: string): void {
    this.ready.set(`${db}\0${key}`, [db, key]);
    if (!this.servingQueued && !this.serving) {
      this.servingQueued = true;
      // writes that no connection's command made (HTTP, ingest) are served shortly after
      queueMicrotask(() => {
        this.servingQueued = false;
        this.serveReady();
      });
    }
  }

  get hasReady(): boolean {
    return this.ready.size > 0;
  }

  /** Serves the clients waiting on the keys that changed (see the file comment). */
  serveReady(): void {
    if (this.serving || this.ready.size === 0) return;
    this.serving = true;
    try {
      while (this.ready.size > 0) {
        const [id, [db, key]] = this.ready.entries().next().value as [string, [number, string]];
        this.ready.delete(id);
        this.serveKey(db, key);
      }
    } finally {
      this.serving = false;
    }
  }

  private serveKey(db: number, key: string): void {
    const q = this.waiting[db]!.get(key);
    if (q === undefined) return;
    const keyBuf = Buffer.from(key, 'latin1');
    // a copy: serving removes waiters from q
    for (const w of [...q]) {
      const now = this.engine.clock.now();
      const v = this.engine.dbs[db]!.lookup(key, now);
      if (v === undefined) return;
      if (v.type !== w.spec.blocking!.waitsFor) continue;
      const argv = w.spec.blocking!.servedFrom(w.argv, keyBuf);
      // counted once, when it first ran (as Redis counts a blocked command once)
      const r = this.engine.run(w.spec, argv, w.client.session, now, false);
      if (r.t === 'nullarray' || r.t === 'null') continue;
      this.release(w, r);
    }
  }
}
