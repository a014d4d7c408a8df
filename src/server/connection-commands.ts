/**
 * The commands whose state lives in the connection: AUTH, HELLO, QUIT, RESET, MULTI/EXEC/DISCARD,
 * WATCH/UNWATCH, (P)SUBSCRIBE/(P)UNSUBSCRIBE, and PING while subscribed. Their table entries (arity, flags,
 * docs) are the engine's specs; the engine-side `run` of each is what front ends without connections get.
 */

import type { CommandSpec } from '../engine/command';
import { checkAuth, WRONGPASS } from '../engine/commands/connection/auth';
import { applyHello, HELLO_NOAUTH, parseHello } from '../engine/commands/connection/hello';
import { RESET_REPLY } from '../engine/commands/connection/reset';
import {
  DISCARD_WITHOUT_MULTI,
  EXEC_WITHOUT_MULTI,
  EXECABORT,
  MULTI_NESTED,
  WATCH_IN_MULTI,
} from '../engine/commands/connection/transactions';
import { NO_PERSISTENCE } from '../engine/commands/server/save';
import { bulk, bulkStr, error, NULL_ARRAY, OK } from '../engine/reply';
import type { Connection } from './connection';

export type ConnectionHandler = (conn: Connection, argv: Buffer[], spec: CommandSpec) => void;

const EMPTY = Buffer.alloc(0);

function auth(conn: Connection, argv: Buffer[]): void {
  const r = checkAuth(conn.engine, argv);
  if (r === OK) conn.setAuthenticated(true);
  conn.reply(r);
}

function hello(conn: Connection, argv: Buffer[]): void {
  const args = parseHello(argv);
  if ('t' in args) {
    conn.reply(args);
    return;
  }
  if (args.auth) {
    const state = conn.server.state;
    if (!state.checkPassword(args.auth.user, args.auth.password)) {
      conn.reply(WRONGPASS);
      return;
    }
    conn.setAuthenticated(true);
  } else if (!conn.authenticated) {
    conn.reply(HELLO_NOAUTH);
    return;
  }
  conn.reply(applyHello(conn.engine, conn.session, args));
}

function quit(conn: Connection): void {
  conn.reply(OK);
  conn.closeAfterReply();
}

function reset(conn: Connection): void {
  conn.server.monitors.delete(conn);
  conn.multi = undefined;
  conn.server.unwatchAll(conn);
  conn.server.unsubscribeAll(conn);
  conn.session.db = 0;
  conn.session.resp = 2;
  conn.session.name = undefined;
  conn.setAuthenticated(!conn.server.state.authRequired);
  conn.reply(RESET_REPLY);
}

function multi(conn: Connection): void {
  if (conn.multi) {
    conn.reply(MULTI_NESTED);
    return;
  }
  conn.multi = { queue: [], failed: false };
  conn.reply(OK);
}

function exec(conn: Connection): void {
  const tx = conn.multi;
  if (!tx) {
    conn.reply(EXEC_WITHOUT_MULTI);
    return;
  }
  conn.multi = undefined;
  if (tx.failed) {
    conn.server.unwatchAll(conn);
    conn.reply(EXECABORT);
    return;
  }
  if (conn.dirtyCas) {
    conn.server.unwatchAll(conn);
    conn.reply(NULL_ARRAY);
    return;
  }
  // Keys are unwatched before running, so the transaction's own writes do not matter.
  conn.server.unwatchAll(conn);
  conn.replyArrayHeader(tx.queue.length);
  conn.inExec = true;
  try {
    for (const { spec, argv } of tx.queue) conn.call(spec, argv);
  } finally {
    conn.inExec = false;
  }
}

function discard(conn: Connection): void {
  if (!conn.multi) {
    conn.reply(DISCARD_WITHOUT_MULTI);
    return;
  }
  conn.multi = undefined;
  conn.server.unwatchAll(conn);
  conn.reply(OK);
}

function watch(conn: Connection, argv: Buffer[]): void {
  if (conn.multi) {
    conn.reply(WATCH_IN_MULTI);
    return;
  }
  for (let i = 1; i < argv.length; i++) conn.server.watch(conn, conn.session.db, argv[i]!.toString('latin1'));
  conn.reply(OK);
}

function unwatch(conn: Connection): void {
  conn.server.unwatchAll(conn);
  conn.reply(OK);
}

function subscribe(conn: Connection, argv: Buffer[]): void {
  const hub = conn.server.hub;
  for (let i = 1; i < argv.length; i++) {
    const ch = argv[i]!;
    const k = ch.toString('latin1');
    if (!conn.channels.has(k)) {
      conn.channels.set(k, ch);
      hub.subscribe(conn, ch);
    }
    conn.subscriptionReply('subscribe', ch);
  }
}

function unsubscribe(conn: Connection, argv: Buffer[]): void {
  const hub = conn.server.hub;
  const targets = argv.length > 1 ? argv.slice(1) : [...conn.channels.values()];
  if (targets.length === 0) {
    conn.subscriptionReply('unsubscribe', undefined);
    return;
  }
  for (const ch of targets) {
    if (conn.channels.delete(ch.toString('latin1'))) hub.unsubscribe(conn, ch);
    conn.subscriptionReply('unsubscribe', ch);
  }
}

function psubscribe(conn: Connection, argv: Buffer[]): void {
  const hub = conn.server.hub;
  for (let i = 1; i < argv.length; i++) {
    const p = argv[i]!;
    const k = p.toString('latin1');
    if (!conn.patterns.has(k)) {
      conn.patterns.set(k, p);
      hub.psubscribe(conn, p);
    }
    conn.subscriptionReply('psubscribe', p);
  }
}

function punsubscribe(conn: Connection, argv: Buffer[]): void {
  const hub = conn.server.hub;
  const targets = argv.length > 1 ? argv.slice(1) : [...conn.patterns.values()];
  if (targets.length === 0) {
    conn.subscriptionReply('punsubscribe', undefined);
    return;
  }
  for (const p of targets) {
    if (conn.patterns.delete(p.toString('latin1'))) hub.punsubscribe(conn, p);
    conn.subscriptionReply('punsubscribe', p);
  }
}

function ssubscribe(conn: Connection, argv: Buffer[]): void {
  const hub = conn.server.hub;
  for (let i = 1; i < argv.length; i++) {
    const ch = argv[i]!;
    const k = ch.toString('latin1');
    if (!conn.shardChannels.has(k)) {
      conn.shardChannels.set(k, ch);
      hub.ssubscribe(conn, ch);
    }
    conn.subscriptionReply('ssubscribe', ch);
  }
}

function sunsubscribe(conn: Connection, argv: Buffer[]): void {
  const hub = conn.server.hub;
  const targets = argv.length > 1 ? argv.slice(1) : [...conn.shardChannels.values()];
  if (targets.length === 0) {
    conn.subscriptionReply('sunsubscribe', undefined);
    return;
  }
  for (const ch of targets) {
    if (conn.shardChannels.delete(ch.toString('latin1'))) hub.sunsubscribe(conn, ch);
    conn.subscriptionReply('sunsubscribe', ch);
  }
}

/** PING in RESP2 subscribe mode answers ["pong", message]; otherwise it is the engine's PING. */
function ping(conn: Connection, argv: Buffer[], spec: CommandSpec): void {
  if (conn.session.resp === 2 && conn.isPubSub) {
    if (argv.length > 2) {
      conn.reply(conn.engine.run(spec, argv, conn.session));
      return;
    }
    conn.pushReply([bulkStr('pong'), bulk(argv[1] ?? EMPTY)]);
    return;
  }
  conn.reply(conn.engine.run(spec, argv, conn.session));
}

/** MONITOR: from now on, every command of the other clients arrives here as a status line. */
function monitor(conn: Connection): void {
  // like Redis, a client already monitoring gets no reply
  if (conn.server.monitors.has(conn)) return;
  conn.reply(OK);
  conn.server.monitors.add(conn);
}

/** SAVE: a snapshot, answered once it is committed; this client waits, the others carry on. */
function save(conn: Connection): void {
  const p = conn.server.state.persistence;
  if (p === undefined) conn.reply(error(NO_PERSISTENCE));
  else if (p.saveInProgress) conn.reply(error('ERR Background save already in progress'));
  else conn.hold(p.bgsave().then(() => OK));
}

export const CONNECTION_HANDLERS: ReadonlyMap<string, ConnectionHandler> = new Map<string, ConnectionHandler>([
  ['auth', auth],
  ['hello', hello],
  ['quit', quit],
  ['reset', reset],
  ['multi', multi],
  ['exec', exec],
  ['discard', discard],
  ['watch', watch],
  ['unwatch', unwatch],
  ['subscribe', subscribe],
  ['unsubscribe', unsubscribe],
  ['psubscribe', psubscribe],
  ['punsubscribe', punsubscribe],
  ['ssubscribe', ssubscribe],
  ['sunsubscribe', sunsubscribe],
  ['ping', ping],
  ['monitor', monitor],
  ['save', save],
]);
