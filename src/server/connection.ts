/**
 * One RESP client connection: parse → dispatch → reply, with pipelining, backpressure and limits.
 *
 * - Every 'data' event is parsed completely (thousands of pipelined commands) and all replies of the batch go
 *   out in one socket write (ReplyWriter slab), unless output piles up.
 * - Backpressure: when more than OUTPUT_PAUSE_BYTES wait in the socket, reading stops (the unparsed commands stay
 *   in the parser) until 'drain'. Subscribers cannot be paused that way (messages arrive from other clients), so
 *   they are disconnected past client-output-buffer-limit pubsub, like Redis.
 * - A protocol error replies with Redis's error and closes this connection only; the query buffer is capped by
 *   client-query-buffer-limit.
 * - Connection state — authentication, MULTI queue, WATCHed keys, subscriptions, CLIENT REPLY mode — lives here;
 *   the commands that need it are in connection-commands.ts. Everything else goes to Engine.run.
 */
import type net from 'node:net';
import { subcommandNamed } from '../engine/acl';
import type { CommandSpec, Session } from '../engine/command';
import { isOpt } from '../engine/commands/arguments';
import { parseTimeout } from '../engine/commands/blocking';
import type { ClientExtras, ClientHandle } from '../engine/commands/server/server-state';
import { newSession } from '../engine/engine';
import { LOADING, NOAUTH, unknownCommand, wrongArity } from '../engine/errors';
import type { Subscriber } from '../engine/pubsub';
import { array, bulk, bulkStr, error, push, QUEUED, type Reply, replyBuffers } from '../engine/reply';
import { RespParser } from '../protocol/parser';
import { ReplyWriter } from '../protocol/writer';
import type { BlockedClient } from './blocking';
import type { RespServer } from './server';

/** Flush replies to the socket mid-batch once this many bytes are waiting. */
const FLUSH_BYTES = 256 * 1024;
/** A batch's commands share one clock reading per this many commands (see Connection.now). */
const NOW_REUSE = 8;
/** Stop reading while the socket holds more than this many unsent bytes. */
const OUTPUT_PAUSE_BYTES = 4 * 1024 * 1024;

/** Commands a RESP2 client may send while subscribed. */
const SUBSCRIBE_CONTEXT = new Set([
  'ping',
  'subscribe',
  'psubscribe',
  'unsubscribe',
  'punsubscribe',
  'ssubscribe',
  'sunsubscribe',
  'quit',
  'reset',
]);

/** Whether a command (its subcommand's flags, for a container) may run while the dataset loads. */
function allowedWhileLoading(spec: CommandSpec, argv: readonly Buffer[]): boolean {
  return (subcommandNamed(spec, argv)?.flags ?? spec.flags).includes('loading');
}

/** Commands that run immediately inside MULTI instead of being queued. */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

const UNBLOCKED = error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
const MESSAGE = Buffer.from('message');
const PMESSAGE = Buffer.from('pmessage');
const SMESSAGE = Buffer.from('smessage');

export interface QueuedCommand {
  spec: CommandSpec;
  argv: Buffer[];
}

export class Connection implements Subscriber, ClientHandle, BlockedClient {
  readonly session: Session = newSession();
  readonly addr: string;
  readonly laddr: string;
  readonly createdAt = Date.now();
  lastInteraction = this.createdAt;
  authenticated: boolean;
  /** the MULTI queue while a transaction is open; `failed` once a queued command was rejected */
  multi: { queue: QueuedCommand[]; failed: boolean } | undefined;
  /** WATCHed keys as [db, key] and whether one of them changed since */
  readonly watched: Array<[number, string]> = [];
  dirtyCas = false;
  /** EXEC is running the queued commands: blocking commands answer at once instead of waiting */
  inExec = false;
  /** waiting in a blocking command (see blocking.ts): no further command is read until it is answered */
  private blockedNow = false;
  /** subscriptions, as latin1 strings of the channel/pattern bytes */
  readonly channels = new Map<string, Buffer>();
  readonly patterns = new Map<string, Buffer>();
  /** shard channels (SSUBSCRIBE): counted apart from the others in subscription replies, as Redis does */
  readonly shardChannels = new Map<string, Buffer>();
  private readonly parser: RespParser;
  private readonly writer = new ReplyWriter();
  /** bytes of the pre-encoded replies written since the last flush */
  private readonly packedOut: Buffer[] = [];
  private readonly extras: ClientExtras;
  /** set by QUIT, protocol errors and CLIENT KILL: write what is pending, then close */
  private closing = false;
  private waitingDrain = false;
  /** a command's reply is pending (SAVE) or the output waits for the log to be durable (see hold) */
  private held = false;
  private processing = false;
  private flushScheduled = false;
  private replyOff = false;
  private skipNext = false;
  private lastSpec: CommandSpec | undefined;
  private lastSub: string | undefined;
  /** when the pubsub output soft limit was first exceeded (0: not exceeded) */
  private softLimitSince = 0;
  private closed = false;

  constructor(
    readonly server: RespServer,
    readonly socket: net.Socket,
  ) {
    this.addr = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
    this.laddr = `${socket.localAddress ?? ''}:${socket.localPort ?? 0}`;
    this.authenticated = !server.state.authRequired;
    this.extras = server.state.extrasOf(this.session);
    this.parser = new RespParser({
      maxBulkLen: server.state.config.getNumber('proto-max-bulk-len'),
      unauthenticated: !this.authenticated,
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', () => {
      // ECONNRESET and friends: 'close' follows and cleans up.
    });
    socket.on('close', () => this.onClose());
  }

  get isPubSub(): boolean {
    return this.channels.size > 0 || this.patterns.size > 0 || this.shardChannels.size > 0;
  }

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  get engine() {
    return this.server.engine;
  }

  // ---- input ----------------------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.server.state.net.netInputBytes += chunk.length;
    this.lastInteraction = Date.now();
    if (this.closing) return;
    // CONFIG SET proto-max-bulk-len applies to connections that are already open too
    this.parser.limits.maxBulkLen = this.server.state.config.getNumber('proto-max-bulk-len');
    this.parser.feed(chunk);
    if (this.parser.bufferedBytes > this.server.state.config.getNumber('client-query-buffer-limit')) {
      // Redis closes such a client without a reply (and logs it).
      this.server.log(`closing client ${this.addr}: query buffer over client-query-buffer-limit`);
      this.destroy();
      return;
    }
    this.processInput();
  }

  private onDrain(): void {
    if (!this.waitingDrain) return;
    this.waitingDrain = false;
    this.socket.resume();
    this.processInput();
  }

  /**
   * The time for the next command: read from the clock once per NOW_REUSE commands of one batch (pipelined commands
   * arrive together and run within microseconds; reading the clock was a few % of a pipelined SET).
   */
  private now(): number {
    if (this.nowUses > 0) {
      this.nowUses--;
      return this.batchNow;
    }
    this.nowUses = NOW_REUSE - 1;
    this.batchNow = this.engine.clock.now();
    return this.batchNow;
  }
  private batchNow = 0;
  private nowUses = 0;

  /** Runs every complete command in the parser, unless output backs up. */
  private processInput(): void {
    if (this.processing) return;
    this.processing = true;
    // every read starts with a fresh time
    this.nowUses = 0;
    const parser = this.parser;
    const writer = this.writer;
    try {
      const blocking = this.server.blocking;
      while (!this.closing && !this.waitingDrain && !this.held && !this.blockedNow) {
        const argv = parser.next();
        if (argv === undefined) break;
        this.execute(argv);
        // clients blocked on keys this command (or this EXEC) wrote are served before our next command
        if (blocking.hasReady) blocking.serveReady();
        if (writer.length > FLUSH_BYTES) {
          this.flush();
          if (this.socket.writableLength > OUTPUT_PAUSE_BYTES) {
            this.waitingDrain = true;
            this.socket.pause();
          }
        }
      }
      if (parser.error !== undefined && !this.closing) {
        // counted in errorstats like any error reply (Redis counts its protocol errors too)
        this.reply(this.engine.refuse(undefined, [], error(parser.error)));
        this.closing = true;
      }
    } finally {
      this.processing = false;
      this.nowUses = 0;
    }
    this.server.scheduleFlush(this);
  }

  // ---- dispatch -------------------------------------------------------------------------------------------

  /**
   * processCommand: lookup, arity, auth, subscribe context, loading (only `loading` commands while the server
   * restores), MULTI queueing, then the command itself.
   */
  execute(argv: Buffer[]): void {
    const spec = this.server.lookup(argv[0]!);
    if (spec === undefined) {
      this.reject(unknownCommand(argv[0]!, argv.slice(1)), undefined, argv);
      return;
    }
    this.lastSpec = spec;
    this.lastSub = spec.subcommands && argv.length > 1 ? argv[1]!.toString('latin1').toLowerCase() : undefined;
    if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) {
      this.reject(wrongArity(spec.name), spec, argv);
      return;
    }
    if (!this.authenticated && !spec.flags.includes('no_auth')) {
      this.reject(NOAUTH, spec, argv);
      return;
    }
    if (this.session.resp === 2 && this.isPubSub && !SUBSCRIBE_CONTEXT.has(spec.name)) {
      this.reject(
        error(
          `ERR Can't execute '${this.commandName()}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
        ),
        spec,
        argv,
      );
      return;
    }
    if (this.server.state.loading && !allowedWhileLoading(spec, argv)) {
      this.reject(LOADING, spec, argv);
      return;
    }
    if (this.multi && !NOT_QUEUED.has(spec.name)) {
      this.multi.queue.push({ spec, argv });
      this.reply(QUEUED);
      return;
    }
    const suppress = this.replyOff || this.skipNext;
    this.skipNext = false;
    this.call(spec, argv, suppress);
  }

  /** Runs a command that passed the checks (also used by EXEC for each queued command). */
  call(spec: CommandSpec, argv: Buffer[], suppress = false): void {
    this.run(spec, argv, suppress);
    // like Redis, monitors see a command after it ran (with the database it left selected)
    if (this.server.monitors.size > 0) this.server.feedMonitors(this, spec, argv);
  }

  private run(spec: CommandSpec, argv: Buffer[], suppress: boolean): void {
    const handler = this.server.handlers.get(spec);
    if (handler !== undefined) {
      if (suppress) {
        const saved = this.replyOff;
        this.replyOff = true;
        handler(this, argv, spec);
        this.replyOff = saved;
      } else {
        handler(this, argv, spec);
      }
      return;
    }
    const now = this.now();
    const r = this.engine.run(spec, argv, this.session, now);
    if (spec.blocking !== undefined && (r.t === 'nullarray' || r.t === 'null') && !this.inExec) {
      this.block(spec, argv, now);
      return;
    }
    if (spec.name === 'client' && r.t !== 'error' && isOpt(argv[1], 'REPLY')) {
      // CLIENT REPLY OFF|SKIP suppress their own reply too; ON answers OK even after OFF.
      const mode = this.extras.reply;
      this.extras.reply = 'on';
      this.replyOff = mode === 'off';
      this.skipNext = mode === 'skip';
      if (mode === 'on') this.reply(r);
      return;
    }
    if (!suppress) this.reply(r);
  }

  /** A blocking command found nothing: wait on its keys (its arguments were checked by the attempt that ran). */
  private block(spec: CommandSpec, argv: Buffer[], now: number): void {
    const b = spec.blocking!;
    const ms = parseTimeout(argv[b.timeoutAt(argv)]!, now) as number;
    this.blockedNow = true;
    this.server.blocking.block(this, spec, argv, this.session.db, b.keys(argv), ms === 0 ? 0 : Date.now() + ms);
  }

  get isBlocked(): boolean {
    return this.blockedNow;
  }

  /** Served, timed out or unblocked: the reply goes out and the commands that came meanwhile run. */
  unblocked(r: Reply): void {
    this.blockedNow = false;
    if (this.closed) return;
    this.reply(r);
    process.nextTick(() => {
      if (this.closed) return;
      this.processInput();
    });
  }

  /** CLIENT UNBLOCK: false when this client is not blocked. */
  unblock(withError: boolean): boolean {
    return this.server.blocking.unblock(this, withError ? UNBLOCKED : undefined);
  }

  /**
   * Refuses a command before it runs (counted in INFO commandstats and errorstats, as Redis's rejectCommand); inside
   * MULTI it also dooms the transaction.
   */
  private reject(r: Reply, spec: CommandSpec | undefined, argv: Buffer[]): void {
    this.engine.refuse(spec, argv, r);
    if (this.multi) this.multi.failed = true;
    if (this.skipNext) {
      this.skipNext = false;
      return;
    }
    this.reply(r);
  }

  /** 'get', or 'client|list' for container commands, as Redis names commands in errors and CLIENT LIST. */
  private commandName(): string {
    if (!this.lastSpec) return 'NULL';
    return this.lastSub ? `${this.lastSpec.name}|${this.lastSub}` : this.lastSpec.name;
  }

  // ---- output ---------------------------------------------------------------------------------------------

  reply(r: Reply): void {
    if (this.replyOff || this.closed) return;
    this.writer.write(r, this.session.resp);
    // pre-encoded range replies: their memory goes back to the pool once the socket took it (see flush)
    if (r.t === 'array' && r.packed !== undefined) this.packedOut.push(r.packed);
  }

  /** Writes an array header (EXEC writes the replies of the queued commands after it). */
  replyArrayHeader(n: number): void {
    if (this.replyOff || this.closed) return;
    this.writer.rawBytes(Buffer.from(`*${n}\r\n`, 'latin1'));
  }

  /** A pub/sub notification: a RESP3 push, or a plain array for RESP2 clients. */
  pushReply(items: Reply[]): void {
    if (this.closed) return;
    this.writer.write(this.session.resp === 3 ? push(items) : array(items), this.session.resp);
  }

  /** A MONITOR line (a status reply), from whichever client ran the command. */
  monitorLine(line: string): void {
    if (this.closed) return;
    this.writer.write({ t: 'simple', v: line }, this.session.resp);
    this.afterDelivery();
  }

  message(channel: Buffer, payload: Buffer): void {
    this.pushReply([bulk(MESSAGE), bulk(channel), bulk(payload)]);
    this.afterDelivery();
  }

  pmessage(pattern: Buffer, channel: Buffer, payload: Buffer): void {
    this.pushReply([bulk(PMESSAGE), bulk(pattern), bulk(channel), bulk(payload)]);
    this.afterDelivery();
  }

  smessage(channel: Buffer, payload: Buffer): void {
    this.pushReply([bulk(SMESSAGE), bulk(channel), bulk(payload)]);
    this.afterDelivery();
  }

  /** Messages published by other clients are flushed after the publisher's batch, and checked against limits. */
  private afterDelivery(): void {
    if (this.processing) return; // our own batch flushes at its end
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    this.checkPubSubLimits();
  }

  private checkPubSubLimits(): void {
    const limit = this.server.state.config.outputBufferLimit('pubsub');
    const pending = this.socket.writableLength + this.writer.length;
    if (limit.hard > 0 && pending > limit.hard) {
      this.server.log(`closing subscriber ${this.addr}: over client-output-buffer-limit pubsub (hard)`);
      this.destroy();
      return;
    }
    if (limit.soft > 0 && pending > limit.soft) {
      const now = Date.now();
      if (this.softLimitSince === 0) this.softLimitSince = now;
      else if (now - this.softLimitSince >= limit.softSeconds * 1000) {
        this.server.log(`closing subscriber ${this.addr}: over client-output-buffer-limit pubsub (soft)`);
        this.destroy();
      }
    } else {
      this.softLimitSince = 0;
    }
  }

  /**
   * Holds this client's later commands and all its output until `p` settles, then writes the reply it gives (if
   * any; a rejection becomes an error reply) and carries on. Replies stay in order; other clients are not held.
   */
  hold(p: Promise<Reply | undefined>): void {
    this.held = true;
    this.socket.pause();
    p.then(
      (r) => r,
      (err: unknown) => error(`ERR ${err instanceof Error ? err.message : String(err)}`),
    ).then((r) => {
      this.held = false;
      if (this.closed) return;
      if (r !== undefined) this.reply(r);
      if (!this.waitingDrain) this.socket.resume();
      this.processInput();
    });
  }

  /** Sends everything written so far; closes the connection afterwards when it is closing. */
  flush(): void {
    if (this.closed || this.held) return;
    // appendfsync always: nothing goes out while a write it may answer is not durable yet
    const durable = this.server.durability?.();
    if (durable !== undefined) {
      this.hold(durable.then(() => undefined));
      return;
    }
    if (this.writer.length > 0) {
      const parts = this.writer.take();
      let bytes = 0;
      if (parts.length === 1) {
        bytes = parts[0]!.length;
        this.socket.write(parts[0]!);
      } else {
        this.socket.cork();
        for (const p of parts) {
          bytes += p.length;
          this.socket.write(p);
        }
        this.socket.uncork();
      }
      this.server.state.net.netOutputBytes += bytes;
      if (this.socket.writableLength === 0) {
        // The socket wrote everything synchronously and holds none of it: the slab can be written over and the
        // range replies' memory reused (a fresh Buffer each time is external memory that makes V8 collect often).
        this.writer.recycle();
        for (const b of this.packedOut) replyBuffers.give(b);
      }
      this.packedOut.length = 0;
    }
    if (this.closing) {
      this.closed = true;
      this.socket.end();
      this.cleanup();
    }
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  /** Reply what is pending, then close (QUIT, protocol errors, CLIENT KILL). */
  closeAfterReply(): void {
    this.closing = true;
    if (!this.processing) process.nextTick(() => this.flush());
  }

  kill(): void {
    this.closeAfterReply();
  }

  /** Closes at once, dropping pending output. */
  destroy(): void {
    this.closing = true;
    this.closed = true;
    this.socket.destroy();
    this.cleanup();
  }

  private onClose(): void {
    this.closed = true;
    this.cleanup();
  }

  private cleanedUp = false;
  private cleanup(): void {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    this.multi = undefined;
    this.server.unwatchAll(this);
    this.server.blocking.drop(this);
    this.blockedNow = false;
    this.server.unsubscribeAll(this);
    this.server.monitors.delete(this);
    this.server.removeClient(this);
  }

  /** Whether the parser should apply the pre-AUTH limits (called when authentication changes). */
  setAuthenticated(v: boolean): void {
    this.authenticated = v;
    this.parser.limits.unauthenticated = !v;
  }

  /** CLIENT LIST line. */
  describe(now: number): string {
    const flags =
      `${this.server.monitors.has(this) ? 'O' : ''}${this.isPubSub ? 'P' : ''}${this.multi ? 'x' : ''}${this.blockedNow ? 'b' : ''}` ||
      'N';
    const age = Math.floor((now - this.createdAt) / 1000);
    const idle = Math.floor((now - this.lastInteraction) / 1000);
    const omem = this.socket.writableLength;
    return (
      `id=${this.session.id} addr=${this.addr} laddr=${this.laddr} fd=-1 name=${this.session.name ?? ''} ` +
      `age=${Math.max(0, age)} idle=${Math.max(0, idle)} flags=${flags} db=${this.session.db} ` +
      `sub=${this.channels.size} psub=${this.patterns.size} ssub=${this.shardChannels.size} multi=${this.multi ? this.multi.queue.length : -1} ` +
      `qbuf=${this.parser.bufferedBytes} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 ` +
      `omem=${omem} tot-mem=${omem + this.parser.bufferedBytes} events=r cmd=${this.commandName()} user=default ` +
      `redir=-1 resp=${this.session.resp} lib-name=${this.extras.libName} lib-ver=${this.extras.libVer}`
    );
  }

  /** Reply helpers for the subscription commands. */
  subscriptionReply(kind: string, name: Buffer | undefined): void {
    if (this.replyOff) return;
    const count = kind.startsWith('ss') || kind.startsWith('sun') ? this.shardChannels.size : this.subscriptionCount;
    this.pushReply([bulkStr(kind), name ? bulk(name) : { t: 'null' }, { t: 'int', v: count }]);
  }
}
