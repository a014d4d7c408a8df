/**
 * CLIENT ID / SETNAME / GETNAME / SETINFO / LIST / INFO / KILL / NO-EVICT / NO-TOUCH / REPLY / HELP.
 * Connections register a ClientHandle in the server state; without a RESP server the registry is empty and the
 * subcommands that only concern the caller's session still answer.
 */
import { ADMIN_FLAGS, type CommandSpec, NO_KEYS, type Session } from '../../command';
import { NOT_INTEGER, SYNTAX } from '../../errors';
import { parseInt64 } from '../../numbers';
import { array, bulkStr, error, int, NULL, OK, type Reply, simple, verbatim } from '../../reply';
import { isOpt } from '../arguments';
import { type ClientHandle, type ServerState, serverStateOf } from '../server/server-state';
import { helpLines, subcommandOf } from '../server/subcommands';

export const CLIENT_NAME_INVALID = error('ERR Client names cannot contain spaces, newlines or special characters.');
const NO_SUCH_CLIENT = error('ERR No such client');

/** Redis allows client names made of printable ASCII without spaces ('!'..'~'). */
export function validClientName(name: Buffer): boolean {
  for (const c of name) if (c < 33 || c > 126) return false;
  return true;
}

/** A CLIENT INFO line for a session that has no connection (HTTP, Lambda). */
function describeSession(state: ServerState, session: Session): string {
  const x = state.extrasOf(session);
  return (
    `id=${session.id} addr= laddr= fd=-1 name=${session.name ?? ''} age=0 idle=0 flags=N db=${session.db} sub=0 ` +
    'psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 ' +
    `events=r cmd=client|info user=default redir=-1 resp=${session.resp} lib-name=${x.libName} lib-ver=${x.libVer}`
  );
}

function clientList(state: ServerState, argv: Buffer[], now: number): Reply {
  let handles = [...state.clients.values()];
  if (argv.length > 2) {
    if (isOpt(argv[2], 'TYPE') && argv.length === 4) {
      const type = argv[3]!.toString('latin1').toLowerCase();
      if (type === 'pubsub') handles = handles.filter((h) => h.isPubSub);
      else if (type === 'normal') handles = handles.filter((h) => !h.isPubSub);
      else if (type === 'master' || type === 'replica' || type === 'slave') handles = [];
      else return error(`ERR Unknown client type '${argv[3]!.toString('latin1')}'`);
    } else if (isOpt(argv[2], 'ID') && argv.length >= 4) {
      const ids = new Set<number>();
      for (const a of argv.slice(3)) {
        const s = a.toString('latin1');
        if (!/^[1-9][0-9]*$/.test(s)) return error('ERR Invalid client ID');
        ids.add(Number(s));
      }
      handles = handles.filter((h) => ids.has(h.session.id));
    } else {
      return SYNTAX;
    }
  }
  return verbatim(handles.map((h) => `${h.describe(now)}\n`).join(''));
}

/** CLIENT KILL addr (old form, OK or error) or CLIENT KILL <filter value>... (number of clients killed). */
/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when the client was blocked and is now answered, else 0. */
function clientUnblock(state: ServerState, argv: Buffer[]): Reply {
  if (argv.length > 4) return SYNTAX;
  let withError = false;
  if (argv.length === 4) {
    if (isOpt(argv[3], 'ERROR')) withError = true;
    else if (!isOpt(argv[3], 'TIMEOUT')) return error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = parseInt64(argv[2]!);
  if (id === undefined) return NOT_INTEGER;
  const h = state.clients.get(Number(id));
  return int(h?.unblock?.(withError) ? 1 : 0);
}

function clientKill(state: ServerState, session: Session, argv: Buffer[]): Reply {
  if (argv.length === 3) {
    const addr = argv[2]!.toString('latin1');
    const h = [...state.clients.values()].find((c) => c.addr === addr);
    if (!h) return NO_SUCH_CLIENT;
    h.kill();
    return OK;
  }
  if ((argv.length - 2) % 2 !== 0) return SYNTAX;
  let filters: Array<(h: ClientHandle) => boolean> = [];
  let skipMe = true;
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i]!;
    const val = argv[i + 1]!.toString('latin1');
    if (isOpt(opt, 'ID')) {
      if (!/^[1-9][0-9]*$/.test(val)) return error('ERR client-id should be greater than 0');
      const id = Number(val);
      filters.push((h) => h.session.id === id);
    } else if (isOpt(opt, 'ADDR')) {
      filters.push((h) => h.addr === val);
    } else if (isOpt(opt, 'LADDR')) {
      filters.push((h) => h.laddr === val);
    } else if (isOpt(opt, 'TYPE')) {
      const t = val.toLowerCase();
      if (t === 'pubsub') filters.push((h) => h.isPubSub);
      else if (t === 'normal') filters.push((h) => !h.isPubSub);
      else if (t === 'master' || t === 'replica' || t === 'slave') filters.push(() => false);
      else return error(`ERR Unknown client type '${val}'`);
    } else if (isOpt(opt, 'USER')) {
      filters.push(() => val === 'default');
    } else if (isOpt(opt, 'SKIPME')) {
      const v = val.toLowerCase();
      if (v !== 'yes' && v !== 'no') return SYNTAX;
      skipMe = v === 'yes';
    } else {
      return SYNTAX;
    }
  }
  if (skipMe) filters = [...filters, (h) => h.session !== session];
  let n = 0;
  for (const h of [...state.clients.values()]) {
    if (filters.every((f) => f(h))) {
      h.kill();
      n++;
    }
  }
  return int(n);
}

function onOff(b: Buffer): boolean | undefined {
  if (isOpt(b, 'ON')) return true;
  if (isOpt(b, 'OFF')) return false;
  return undefined;
}

export const client: CommandSpec = {
  name: 'client',
  arity: -2,
  flags: ['loading', 'stale'],
  keys: NO_KEYS,
  group: 'connection',
  complexity: 'Depends on subcommand.',
  summary: 'A container for client connection commands.',
  since: '2.4.0',
  subcommands: [
    { name: 'id', arity: 2, summary: 'Returns the unique client ID of the connection.' },
    { name: 'setname', arity: 3, summary: 'Sets the connection name.' },
    { name: 'getname', arity: 2, summary: 'Returns the name of the connection.' },
    {
      name: 'setinfo',
      arity: 4,
      summary: 'Sets information specific to the client or connection (lib-name, lib-ver).',
    },
    { name: 'list', flags: ADMIN_FLAGS, arity: -2, summary: 'Lists open connections.' },
    { name: 'info', arity: 2, summary: 'Returns information about the connection.' },
    {
      name: 'kill',
      flags: ADMIN_FLAGS,
      arity: -3,
      summary: 'Terminates open connections.',
    },
    {
      name: 'unblock',
      flags: ADMIN_FLAGS,
      arity: -3,
      summary: 'Unblocks a client blocked by a blocking command from a different connection.',
    },
    {
      name: 'no-evict',
      flags: ADMIN_FLAGS,
      arity: 3,
      summary: 'Sets the client eviction mode of the connection.',
    },
    {
      name: 'no-touch',
      arity: 3,
      summary: 'Controls whether commands sent by the client affect the LRU/LFU of accessed keys.',
    },
    { name: 'reply', arity: 3, summary: 'Instructs the server whether to reply to commands (ON, OFF, SKIP).' },
    { name: 'help', arity: 2, summary: 'Returns helpful text about the different subcommands.' },
  ],
  run({ engine, argv, session, now }) {
    const sub = subcommandOf(client, argv);
    if (typeof sub !== 'string') return sub;
    const state = serverStateOf(engine);
    switch (sub) {
      case 'id':
        return int(session.id);
      case 'setname':
        if (!validClientName(argv[2]!)) return CLIENT_NAME_INVALID;
        session.name = argv[2]!.length === 0 ? undefined : argv[2]!.toString('latin1');
        return OK;
      case 'getname':
        return session.name === undefined ? NULL : bulkStr(session.name);
      case 'setinfo': {
        const x = state.extrasOf(session);
        const v = argv[3]!;
        const opt = argv[2]!;
        if (!isOpt(opt, 'LIB-NAME') && !isOpt(opt, 'LIB-VER')) {
          return error(`ERR Unrecognized option '${opt.toString('latin1')}'`);
        }
        if (!validClientName(v)) {
          return error(
            `ERR ${isOpt(opt, 'LIB-NAME') ? 'lib-name' : 'lib-ver'} cannot contain spaces, newlines or special characters.`,
          );
        }
        if (isOpt(opt, 'LIB-NAME')) x.libName = v.toString('latin1');
        else x.libVer = v.toString('latin1');
        return OK;
      }
      case 'list':
        return clientList(state, argv, now);
      case 'info': {
        const h = state.clients.get(session.id);
        return verbatim(`${h ? h.describe(now) : describeSession(state, session)}\n`);
      }
      case 'kill':
        return clientKill(state, session, argv);
      case 'unblock':
        return clientUnblock(state, argv);
      case 'no-evict':
      case 'no-touch': {
        const v = onOff(argv[2]!);
        if (v === undefined) return SYNTAX;
        const x = state.extrasOf(session);
        if (sub === 'no-evict') x.noEvict = v;
        else x.noTouch = v;
        return OK;
      }
      case 'reply': {
        const mode = argv[2]!.toString('latin1').toLowerCase();
        if (mode !== 'on' && mode !== 'off' && mode !== 'skip') return SYNTAX;
        state.extrasOf(session).reply = mode;
        return OK;
      }
      default:
        return array(helpLines(client).map((l) => simple(l)));
    }
  },
};
