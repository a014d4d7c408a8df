/** HELLO [protover [AUTH username password] [SETNAME clientname]]: the RESP3 handshake. */
import { type CommandSpec, NO_KEYS, type Session } from '../../command';
import type { Engine } from '../../engine';
import { array, bulkStr, error, int, map, type Reply } from '../../reply';
import { isOpt } from '../arguments';
import { REDIS_VERSION, serverStateOf } from '../server/server-state';
import { WRONGPASS } from './auth';
import { CLIENT_NAME_INVALID, validClientName } from './client';

export const NOPROTO = error('NOPROTO unsupported protocol version');
export const HELLO_NOAUTH = error(
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
);

export interface HelloArgs {
  proto?: 2 | 3;
  auth?: { user: string; password: Buffer };
  setname?: Buffer;
}

/** Parses HELLO [protover [AUTH username password] [SETNAME clientname]] with Redis's errors. */
export function parseHello(argv: Buffer[]): HelloArgs | Reply {
  const out: HelloArgs = {};
  if (argv.length >= 2) {
    const s = argv[1]!.toString('latin1');
    if (!/^-?\d+$/.test(s) || s.length > 20) return error('ERR Protocol version is not an integer or out of range');
    const v = Number(s);
    if (v !== 2 && v !== 3) return NOPROTO;
    out.proto = v;
  }
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!;
    if (isOpt(opt, 'AUTH') && more >= 2) {
      out.auth = { user: argv[j + 1]!.toString('utf8'), password: argv[j + 2]! };
      j += 2;
    } else if (isOpt(opt, 'SETNAME') && more >= 1) {
      out.setname = argv[j + 1]!;
      j++;
    } else {
      return error(`ERR Syntax error in HELLO option '${opt.toString('latin1')}'`);
    }
  }
  return out;
}

/** The HELLO reply map (server, version, proto, id, mode, role, modules). */
export function helloReply(session: Session): Reply {
  return map([
    [bulkStr('server'), bulkStr('redis')],
    [bulkStr('version'), bulkStr(REDIS_VERSION)],
    [bulkStr('proto'), int(session.resp)],
    [bulkStr('id'), int(session.id)],
    [bulkStr('mode'), bulkStr('standalone')],
    [bulkStr('role'), bulkStr('master')],
    [bulkStr('modules'), array([])],
  ]);
}

/**
 * Applies a parsed HELLO to a session after authentication was settled: SETNAME, then the protocol version.
 * Returns an error reply or the HELLO map.
 */
export function applyHello(_engine: Engine, session: Session, args: HelloArgs): Reply {
  if (args.setname !== undefined) {
    if (!validClientName(args.setname)) return CLIENT_NAME_INVALID;
    session.name = args.setname.length === 0 ? undefined : args.setname.toString('latin1');
  }
  if (args.proto !== undefined) session.resp = args.proto;
  return helloReply(session);
}

export const hello: CommandSpec = {
  name: 'hello',
  arity: -1,
  flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy', 'connection'],
  keys: NO_KEYS,
  group: 'connection',
  complexity: 'O(1)',
  summary: 'Handshakes with the Redis server.',
  since: '6.0.0',
  run({ engine, argv, session }) {
    const args = parseHello(argv);
    if ('t' in args) return args;
    // Without a connection there is no authentication state to change: credentials are only verified.
    if (args.auth) {
      const state = serverStateOf(engine);
      if (!state.checkPassword(args.auth.user, args.auth.password)) return WRONGPASS;
    }
    return applyHello(engine, session, args);
  },
};
