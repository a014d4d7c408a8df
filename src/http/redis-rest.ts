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

export interface RedisRestDeps {
  engine: Engine;
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
  const refused = refusal(spec, argv, kind);
  if (refused !== undefined) return refused;
  if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) return wrongArity(spec.name);
  return spec.flags.includes('no_multi') ? error('ERR Command not allowed inside a transaction') : undefined;
}

function executeOne(engine: Engine, argv: Buffer[], kind: TokenKind, session = newSession()): Reply {
  const spec = engine.lookupCommand(argv[0]!);
  const refused = spec && refusal(spec, argv, kind);
  // a refusal counts like Redis's ACL denials: rejected_calls of the command, and the error in errorstats
  return refused ? engine.refuse(spec, argv, refused) : engine.execute(argv, session);
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

  app.post('/redis', async (c) => {
    const argv = parseCommand(await readJsonBody(c.req.raw, limits.maxBodyBytes));
    const reply = executeOne(engine, argv, c.get('tokenKind'));
    await durable();
    return respondOne(c, reply);
  });

  app.post('/redis/pipeline', async (c) => {
    const cmds = parseCommandList(await readJsonBody(c.req.raw, limits.maxBodyBytes), limits.maxPipelineCommands);
    const kind = c.get('tokenKind');
    const base64 = isBase64(c);
    const session = newSession();
    const envelopes = cmds.map((argv) => replyToEnvelope(executeOne(engine, argv, kind, session), base64));
    await durable();
    return jsonText(stringifyUpstash(envelopes));
  });

  app.post('/redis/multi-exec', async (c) => {
    const cmds = parseCommandList(await readJsonBody(c.req.raw, limits.maxBodyBytes), limits.maxPipelineCommands);
    const kind = c.get('tokenKind');
    // Queue-time checks for the whole batch first, as MULTI does; nothing runs if any command fails them.
    const specs: CommandSpec[] = [];
    for (const argv of cmds) {
      const spec = engine.lookupCommand(argv[0]!);
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
    const reply = executeOne(engine, argv, c.get('tokenKind'));
    await durable();
    return respondOne(c, reply);
  };
  app.get('/redis/*', pathForm);
  app.post('/redis/*', pathForm);
}
