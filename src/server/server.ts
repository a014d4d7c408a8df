/**
 * The RESP TCP server: accepts connections (up to maxclients), owns the WATCH registry, runs periodic active
 * expiry and idle timeouts, and shuts down cleanly. Commands run on the shared Engine; connection state lives in
 * Connection.
 */
import net from 'node:net';
import type { CommandSpec } from '../engine/command';
import { type ServerState, serverStateOf } from '../engine/commands/server/server-state';
import type { Engine } from '../engine/engine';
import { type PubSubHub, pubsubOf } from '../engine/pubsub';
import { BlockingRegistry } from './blocking';
import { Connection } from './connection';
import { CONNECTION_HANDLERS, type ConnectionHandler } from './connection-commands';
import { isMonitored, monitorLine } from './monitor';

export interface RespServerOptions {
  /** active expiry period in ms (Redis's hz 10 → 100 ms); 0 disables the timer */
  activeExpireMs?: number;
  /** where warnings go (never secrets); defaults to stderr */
  log?: (msg: string) => void;
  /**
   * With `appendfsync always`: a promise of the writes run so far being durable, or undefined when they are. Output
   * is held until it settles, so no client hears of a write that a crash could lose.
   */
  durability?: () => Promise<void> | undefined;
}

/** Slots of the command-name cache (a power of two; the cache must not grow with random input). */
const LOOKUP_SLOTS = 256;

export class RespServer {
  readonly state: ServerState;
  readonly hub: PubSubHub;
  /** connection-layer handlers, keyed by the engine's spec object */
  readonly handlers = new Map<CommandSpec, ConnectionHandler>();
  /** clients waiting in BLPOP, BLMOVE, BZPOPMIN, … */
  readonly blocking: BlockingRegistry;
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  /** per db: key → connections watching it */
  private readonly watchers: Array<Map<string, Set<Connection>>>;
  private readonly lookupNames: Array<Buffer | undefined> = new Array(LOOKUP_SLOTS).fill(undefined);
  private readonly lookupSpecs: Array<CommandSpec | undefined> = new Array(LOOKUP_SLOTS).fill(undefined);
  private timers: NodeJS.Timeout[] = [];
  readonly log: (msg: string) => void;
  readonly durability: (() => Promise<void> | undefined) | undefined;

  constructor(
    readonly engine: Engine,
    private readonly opts: RespServerOptions = {},
  ) {
    this.state = serverStateOf(engine);
    this.hub = pubsubOf(engine);
    this.log = opts.log ?? ((msg) => process.stderr.write(`s3-index: ${msg}\n`));
    this.durability = opts.durability;
    for (const [name, handler] of CONNECTION_HANDLERS) {
      const spec = engine.table.get(name);
      if (spec) this.handlers.set(spec, handler);
    }
    this.watchers = engine.dbs.map(() => new Map());
    this.blocking = new BlockingRegistry(engine);
    engine.onModified((db, key) => this.touch(db, key));
    engine.onFlush((db) => this.touchDb(db));
    engine.onSwap((a, b) => {
      this.touchDb(a, b);
      this.touchDb(b, a);
    });
    this.server = net.createServer((socket) => this.accept(socket));
    // a failed listen() is reported by listen()'s rejection; only a listening server's errors are logged here
    this.server.on('error', (err) => {
      if (this.server.listening) this.log(`server error: ${err.message}`);
    });
  }

  /** Starts listening; resolves with the bound port (pass 0 for a free one). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        this.startTimers();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  get port(): number {
    const addr = this.server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  /** Stops accepting, closes every connection and stops the timers. */
  close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const c of [...this.connections]) c.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get clientCount(): number {
    return this.connections.size;
  }

  private startTimers(): void {
    const every = this.opts.activeExpireMs ?? 100;
    if (every > 0) {
      const t = setInterval(() => {
        if (serverStateOf(this.engine).activeExpire) this.engine.activeExpire();
      }, every);
      t.unref();
      this.timers.push(t);
    }
    const idle = setInterval(() => this.closeIdleClients(), 1000);
    idle.unref();
    this.timers.push(idle);
  }

  private accept(socket: net.Socket): void {
    this.state.net.connectionsReceived++;
    const max = this.state.config.getNumber('maxclients');
    if (this.connections.size >= max) {
      this.state.net.rejectedConnections++;
      socket.on('error', () => {});
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const conn = new Connection(this, socket);
    this.connections.add(conn);
    this.state.clients.set(conn.session.id, conn);
  }

  removeClient(conn: Connection): void {
    this.connections.delete(conn);
    this.state.clients.delete(conn.session.id);
  }

  private closeIdleClients(): void {
    const timeout = this.state.config.getNumber('timeout');
    if (timeout <= 0) return;
    const now = Date.now();
    for (const c of this.connections) {
      // like Redis, the idle timeout spares subscribers, open transactions and blocked clients
      if (c.isPubSub || c.multi || c.isBlocked) continue;
      if (now - c.lastInteraction > timeout * 1000) c.destroy();
    }
  }

  /**
   * Command lookup through a direct-mapped cache keyed by the raw name bytes (redis-benchmark sends upper case,
   * clients lower case), so the hot path neither decodes nor lower-cases the name. Bounded: LOOKUP_SLOTS entries.
   */
  lookup(name: Buffer): CommandSpec | undefined {
    const len = name.length;
    if (len > 32) return this.engine.lookupCommand(name);
    let h = len;
    for (let i = 0; i < len; i++) h = (h * 31 + name[i]!) | 0;
    const slot = h & (LOOKUP_SLOTS - 1);
    const cached = this.lookupNames[slot];
    if (cached !== undefined && cached.length === len) {
      let i = 0;
      while (i < len && cached[i] === name[i]) i++;
      if (i === len) return this.lookupSpecs[slot];
    }
    const spec = this.engine.lookupCommand(name);
    if (spec !== undefined) {
      this.lookupNames[slot] = Buffer.from(name);
      this.lookupSpecs[slot] = spec;
    }
    return spec;
  }

  private readonly pendingFlush = new Set<Connection>();
  private flushQueued = false;

  /** Replies of this event-loop turn are written together once every readable socket was served. */
  scheduleFlush(conn: Connection): void {
    this.pendingFlush.add(conn);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      for (const c of this.pendingFlush) c.flush();
      this.pendingFlush.clear();
    });
  }

  // ---- WATCH ----------------------------------------------------------------------------------------------

  watch(conn: Connection, db: number, key: string): void {
    if (conn.watched.some(([d, k]) => d === db && k === key)) return;
    const map = this.watchers[db]!;
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    set.add(conn);
    conn.watched.push([db, key]);
  }

  unwatchAll(conn: Connection): void {
    for (const [db, key] of conn.watched) {
      const map = this.watchers[db]!;
      const set = map.get(key);
      if (!set) continue;
      set.delete(conn);
      if (set.size === 0) map.delete(key);
    }
    conn.watched.length = 0;
    conn.dirtyCas = false;
  }

  private touch(db: number, key: string): void {
    const map = this.watchers[db];
    if (map === undefined || map.size === 0) return;
    const set = map.get(key);
    if (set) for (const c of set) c.dirtyCas = true;
  }

  /**
   * FLUSHDB/FLUSHALL (called while the keys are still there) and SWAPDB: like Redis's touchAllWatchedKeysInDb, a
   * watched key of `db` is invalidated only when it exists there, or, for SWAPDB, in the database swapped in.
   */
  private touchDb(db: number, swappedWith?: number): void {
    const map = this.watchers[db];
    if (map === undefined || map.size === 0) return;
    const emptied = this.engine.dbs[db]!.data;
    const replacement = swappedWith === undefined ? undefined : this.engine.dbs[swappedWith]!.data;
    for (const [key, set] of map) {
      if (emptied.has(key) || replacement?.has(key)) for (const c of set) c.dirtyCas = true;
    }
  }

  // ---- MONITOR --------------------------------------------------------------------------------------------

  /** connections in MONITOR mode */
  readonly monitors = new Set<Connection>();

  /** Shows a command that `from` ran to every monitor (see monitor.ts). */
  feedMonitors(from: Connection, spec: CommandSpec, argv: Buffer[]): void {
    if (!isMonitored(spec, argv)) return;
    const line = monitorLine(performance.timeOrigin + performance.now(), from.session.db, from.addr, spec, argv);
    for (const m of this.monitors) m.monitorLine(line);
  }

  // ---- pub/sub --------------------------------------------------------------------------------------------

  unsubscribeAll(conn: Connection): void {
    for (const ch of conn.channels.values()) this.hub.unsubscribe(conn, ch);
    for (const p of conn.patterns.values()) this.hub.punsubscribe(conn, p);
    for (const ch of conn.shardChannels.values()) this.hub.sunsubscribe(conn, ch);
    conn.channels.clear();
    conn.patterns.clear();
    conn.shardChannels.clear();
  }
}
