/**
 * /redis: an Upstash-compatible REST front end for every engine command (see upstash.ts for the dialect).
 *
 *   POST /redis              one command, JSON array body            → {"result"} | 400 {"error"}
 *   POST /redis/pipeline     [[…],[…]], run in order, not atomic     → [{"result"}|{"error"}, …]
 *   POST /redis/multi-exec   the same, atomically (MULTI/EXEC)       → [{"result"}|{"error"}, …]
 *   GET|POST /redis/<cmd>/<arg>/…   path form, segments percent-decoded; a POST body is appended as the last arg
 *
 * Every request runs in a fresh session on database 0. Commands that need a connection (MULTI, WATCH, SUBSCRIBE,
 * MONITOR, blocking pops, …) are refused. What a token may run follows the command's ACL categories in the command
 * table (src/engine/acl.ts): ro tokens no @write/@pubsub/@admin/@dangerous command, rw tokens no @admin/@dangerous
 * one, admin tokens anything; a refusal is Redis's NOPERM error (HTTP 403).
 * Atomicity of multi-exec: the engine is single-threaded and the commands run back to back with no await between
 * them; like Redis, a command that fails before running (unknown, wrong arity, refused) discards the whole batch.
 */
import type { Context, Hono } from 'hono';
import { invocationName, levelAllows, requiredLevel } from '../engine/acl';
import type { CommandSpec } from '../engine/command';
import { type Engine, newSession } from '../engine/engine';
import { wrongArity } from '../engine/errors';
import { error, type Reply } from '../engine/reply';
import type { TokenKind } from './auth';
import { readBodyLimited, readJsonBody } from './body';
import type { HttpLimits } from './config';
import type { AppEnv } from './context';
import { HttpError } from './errors';
import { commandParseError, parseCommand, parseCommandList, replyToEnvelope, stringifyUpstash } from './upstash';

const jsonText = (text: string, status = 200): Response =>
  new Response(text, { status, headers: { 'content-type': 'application/json' } });

/** commands that need a RESP connection: transactions, subscriptions, MONITOR, blocking pops */
const REFUSED_FLAGS = new Set(['connection', 'blocking']);
const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

/**
 * An external Redis that /redis forwards to instead of running on the engine (serve --redis-url;
 * src/service/remote-redis.ts). Its commands are checked here first against the engine's command table (token
 * levels, refusals, arity); a command the table does not know goes through for admin tokens only.
 */
export interface RemoteCommands {
  /** the replies of `cmds` run in order (atomically: MULTI/EXEC); rejects when the server cannot be reached */
  run(cmds: readonly Buffer[][], atomic: boolean): Promise<Reply[]>;
}

export interface RedisRestDeps {
  engine: Engine;
  /** when set, the commands run there (the engine's command table still decides what a token may run) */
  remote?: RemoteCommands;
  limits: HttpLimits;
  /** appendfsync always: the promise that the writes so far are durable (undefined when they are); see AppDeps */
  durability?: () => Promise<void> | undefined;
}

/** An error reply when this command may not run over REST with this token, else undefined. */
function refusal(spec: CommandSpec, argv: Buffer[], kind: TokenKind): Reply | undefined {
  if (spec.flags.some((f) => REFUSED_FLAGS.has(f))) {
    return error(`ERR '${spec.name}' is not available over the REST API`);
  }
  if (!levelAllows(kind, requiredLevel(spec, argv))) {
    return error(`NOPERM this token has no permissions to run the '${invocationName(spec, argv)}' command`);
  }
  return undefined;
}

/** Why a command cannot be queued in a transaction (REST refusal, arity, no_multi), or undefined. */
function queueRefusal(spec: CommandSpec, argv: Buffer[], kind: TokenKind): Reply | undefined {
  const refused = refusal(spec, argv, kind) ?? arityError(spec, argv);
  if (refused !== undefined) return refused;
  return spec.flags.includes('no_multi') ? error('ERR Command not allowed inside a transaction') : undefined;
}

function executeOne(engine: Engine, argv: Buffer[], kind: TokenKind, session = newSession()): Reply {
  const spec = engine.lookupCommand(argv[0]!);
  const refused = spec && refusal(spec, argv, kind);
  // a refusal counts like Redis's ACL denials: rejected_calls of the command, and the error in errorstats
  return refused ? engine.refuse(spec, argv, refused) : engine.execute(argv, session);
}

/**
 * Commands of Redis the command table does not know (yet) that block or hold a connection: refused, as the table's
 * own are, so that no request can stall the connection every request shares.
 */
const REMOTE_CONNECTION_COMMANDS = new Set([
  'blpop',
  'brpop',
  'blmove',
  'brpoplpush',
  'blmpop',
  'bzmpop',
  'xread',
  'xreadgroup',
  'wait',
  'waitaof',
  'ssubscribe',
  'sunsubscribe',
  'sync',
  'psync',
  'readonly',
  'readwrite',
  'asking',
]);

/** Why a command may not be forwarded to the remote server with this token, or undefined. */
function remoteRefusal(engine: Engine, argv: Buffer[], kind: TokenKind): Reply | undefined {
  const spec = engine.lookupCommand(argv[0]!);
  if (spec === undefined) {
    const name = argv[0]!.toString('utf8').toLowerCase();
    if (REMOTE_CONNECTION_COMMANDS.has(name)) return error(`ERR '${name}' is not available over the REST API`);
    if (kind === 'admin') return undefined;
    return error(`NOPERM this token has no permissions to run the '${name}' command`);
  }
  return refusal(spec, argv, kind) ?? arityError(spec, argv);
}

const arityError = (spec: CommandSpec, argv: Buffer[]): Reply | undefined =>
  (spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity ? wrongArity(spec.name) : undefined;

/** Runs commands on the remote server, in order; a refused one is answered here and not sent. */
async function runRemote(remote: RemoteCommands, engine: Engine, cmds: Buffer[][], kind: TokenKind): Promise<Reply[]> {
  const refusals = cmds.map((argv) => remoteRefusal(engine, argv, kind));
  const sent = cmds.filter((_, i) => refusals[i] === undefined);
  const replies = sent.length > 0 ? await remote.run(sent, false) : [];
  let next = 0;
  return refusals.map((r) => r ?? replies[next++]!);
}

function isBase64(c: Context<AppEnv>): boolean {
  return c.req.header('upstash-encoding')?.toLowerCase() === 'base64';
}

function respondOne(c: Context<AppEnv>, reply: Reply): Response {
  const env = replyToEnvelope(reply, isBase64(c));
  const status = 'error' in env ? (env.error.startsWith('NOPERM') ? 403 : 400) : 200;
  return jsonText(stringifyUpstash(env), status);
}

/** Splits the raw path after /redis/ into percent-decoded arguments. */
function pathArguments(rawPath: string): Buffer[] {
  const rest = rawPath.replace(/^\/redis\/?/, '');
  const segments = rest === '' ? [] : rest.split('/');
  return segments.map((s) => {
    try {
      return Buffer.from(decodeURIComponent(s), 'utf8');
    } catch {
      throw commandParseError('malformed percent-encoding in the path');
    }
  });
}

export function mountRedisRest(app: Hono<AppEnv>, deps: RedisRestDeps): void {
  const { engine, limits } = deps;
  /** with appendfsync always, a write is answered once durable */
  const durable = async (): Promise<void> => {
    const p = deps.durability?.();
    if (p !== undefined) await p;
  };

  const { remote } = deps;
  /** one command, on the engine or the remote server */
  const runOne = async (argv: Buffer[], kind: TokenKind): Promise<Reply> => {
    if (remote !== undefined) return (await runRemote(remote, engine, [argv], kind))[0]!;
    const reply = executeOne(engine, argv, kind);
    await durable();
    return reply;
  };

  app.post('/redis', async (c) => {
    const argv = parseCommand(await readJsonBody(c.req.raw, limits.maxBodyBytes));
    return respondOne(c, await runOne(argv, c.get('tokenKind')));
  });

  app.post('/redis/pipeline', async (c) => {
    const cmds = parseCommandList(await readJsonBody(c.req.raw, limits.maxBodyBytes), limits.maxPipelineCommands);
    const kind = c.get('tokenKind');
    const base64 = isBase64(c);
    let replies: Reply[];
    if (remote !== undefined) replies = await runRemote(remote, engine, cmds, kind);
    else {
      const session = newSession();
      replies = cmds.map((argv) => executeOne(engine, argv, kind, session));
      await durable();
    }
    return jsonText(stringifyUpstash(replies.map((r) => replyToEnvelope(r, base64))));
  });

  app.post('/redis/multi-exec', async (c) => {
    const cmds = parseCommandList(await readJsonBody(c.req.raw, limits.maxBodyBytes), limits.maxPipelineCommands);
    const kind = c.get('tokenKind');
    // Queue-time checks for the whole batch first, as MULTI does; nothing runs if any command fails them.
    const specs: CommandSpec[] = [];
    for (const argv of cmds) {
      const spec = engine.lookupCommand(argv[0]!);
      if (remote !== undefined) {
        // the server queues and checks the rest; S3IDX.* commands are not the server's
        const why =
          spec?.group === 's3index'
            ? error(`ERR '${spec.name}' cannot run in a transaction on an external Redis`)
            : remoteRefusal(engine, argv, kind);
        if (why !== undefined) throw new HttpError(400, 'EXECABORT', `${EXECABORT} ${why.t === 'error' ? why.v : ''}`);
        continue;
      }
      // an unknown command: execute() replies its error and counts it
      const why = spec ? queueRefusal(spec, argv, kind) : engine.execute(argv);
      if (why !== undefined || !spec) {
        // counted like a refusal at MULTI queue time in Redis (rejected_calls, errorstats)
        const first = spec && why ? engine.refuse(spec, argv, why) : why;
        throw new HttpError(400, 'EXECABORT', `${EXECABORT} ${first?.t === 'error' ? first.v : ''}`.trim());
      }
      specs.push(spec);
    }
    const base64 = isBase64(c);
    if (remote !== undefined) {
      const replies = await remote.run(cmds, true);
      return jsonText(stringifyUpstash(replies.map((r) => replyToEnvelope(r, base64))));
    }
    const session = newSession();
    // Back to back, no await: nothing else can run on the engine in between.
    const replies = cmds.map((argv, i) => engine.run(specs[i]!, argv, session));
    await durable();
    return jsonText(stringifyUpstash(replies.map((r) => replyToEnvelope(r, base64))));
  });

  const pathForm = async (c: Context<AppEnv>): Promise<Response> => {
    const argv = pathArguments(new URL(c.req.url).pathname);
    if (c.req.method === 'POST') {
      const body = await readBodyLimited(c.req.raw, limits.maxBodyBytes);
      if (body.byteLength > 0) argv.push(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    }
    if (argv.length === 0) throw commandParseError('empty command');
    return respondOne(c, await runOne(argv, c.get('tokenKind')));
  };
  app.get('/redis/*', pathForm);
  app.post('/redis/*', pathForm);
}
