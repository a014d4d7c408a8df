/**
 * Server-wide state that server and connection commands read (INFO, CLIENT, CONFIG, AUTH): the runtime config,
 * the registry of connected clients and network statistics. One per engine (`serverStateOf(engine)`), so the
 * commands also answer sensibly when no RESP server is running (HTTP, Lambda): no clients, default config.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Session } from '../../command';
import type { Engine } from '../../engine';
import { RuntimeConfig } from './runtime-config';

/** What a front end exposes about one of its connections. */
export interface ClientHandle {
  readonly session: Session;
  /** one CLIENT LIST line (without the trailing newline) */
  describe(now: number): string;
  /** closes the connection after the current command (CLIENT KILL) */
  kill(): void;
  /** "ip:port" of the peer */
  readonly addr: string;
  readonly laddr: string;
  readonly isPubSub: boolean;
  /** waiting in a blocking command (BLPOP, …) */
  readonly isBlocked?: boolean;
  /** CLIENT UNBLOCK: answers the blocked command with its timeout reply, or an UNBLOCKED error; false if not blocked */
  unblock?(withError: boolean): boolean;
}

/** Per-session details set by CLIENT SETINFO / NO-EVICT / NO-TOUCH / REPLY, read by CLIENT LIST and the connection. */
export interface ClientExtras {
  libName: string;
  libVer: string;
  noEvict: boolean;
  noTouch: boolean;
  /** CLIENT REPLY: 'on', 'off', or 'skip' (suppress the next reply only) */
  reply: 'on' | 'off' | 'skip';
}

export interface NetStats {
  connectionsReceived: number;
  rejectedConnections: number;
  netInputBytes: number;
  netOutputBytes: number;
}

/**
 * What the persistence layer (src/service/persistence.ts) offers the commands that control it: SAVE, BGSAVE,
 * LASTSAVE and INFO persistence. Absent when the server keeps its data in memory only.
 */
export interface PersistenceControl {
  /** starts a snapshot unless one runs; settles when it (or the one running) is committed */
  bgsave(): Promise<unknown>;
  readonly saveInProgress: boolean;
  /** ms since the epoch of the last successful snapshot (or of the start) */
  readonly lastSave: number;
  /** INFO persistence fields that replace or add to the defaults */
  info(): Array<[string, string | number]>;
}

export class ServerState {
  config = new RuntimeConfig();
  readonly clients = new Map<number, ClientHandle>();
  readonly net: NetStats = { connectionsReceived: 0, rejectedConnections: 0, netInputBytes: 0, netOutputBytes: 0 };
  readonly runId = randomBytes(20).toString('hex');
  /** true while a snapshot is being restored; INFO reports loading:1 and clients wait */
  loading = false;
  persistence: PersistenceControl | undefined;
  /** the RESP server's background expiry sweep runs (DEBUG SET-ACTIVE-EXPIRE 0 stops it; keys still expire on access) */
  activeExpire = true;
  private readonly extras = new WeakMap<Session, ClientExtras>();

  extrasOf(session: Session): ClientExtras {
    let e = this.extras.get(session);
    if (!e) {
      e = { libName: '', libVer: '', noEvict: false, noTouch: false, reply: 'on' };
      this.extras.set(session, e);
    }
    return e;
  }

  /** Whether clients must authenticate (requirepass is set). */
  get authRequired(): boolean {
    return this.config.get('requirepass') !== '';
  }

  /**
   * Checks credentials for the default user, in constant time with respect to the password (both sides are
   * hashed first so lengths cannot leak either). Only the `default` user exists.
   */
  checkPassword(user: string, password: Buffer): boolean {
    if (user !== 'default') return false;
    const configured = this.config.get('requirepass');
    if (configured === '') return true; // the default user is "nopass"
    const a = createHash('sha256').update(password).digest();
    const b = createHash('sha256').update(configured, 'utf8').digest();
    return timingSafeEqual(a, b);
  }
}

const states = new WeakMap<Engine, ServerState>();

export function serverStateOf(engine: Engine): ServerState {
  let s = states.get(engine);
  if (!s) {
    s = new ServerState();
    states.set(engine, s);
  }
  return s;
}

/** The version reported by HELLO and INFO: the Redis release whose behaviour we reproduce. */
export const REDIS_VERSION = '7.0.15';
