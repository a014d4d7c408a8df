/**
 * INFO [section ...]: Redis's sections and field names (server, clients, memory, persistence, stats,
 * replication, cpu, modules, errorstats, cluster, keyspace, and commandstats for all/everything), filled with
 * what this server knows. Clients parse some fields: ioredis waits while `loading:1`.
 */
import os from 'node:os';
import { type CommandSpec, NO_KEYS } from '../../command';
import type { Engine } from '../../engine';
import { pubsubOf } from '../../pubsub';
import { verbatim } from '../../reply';
import { REDIS_VERSION, type ServerState, serverStateOf } from './server-state';

type Section = (engine: Engine, state: ServerState, now: number) => Array<[string, string | number]>;

function human(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes}B` : `${v.toFixed(2)}${units[u]}`;
}

const SECTIONS: Record<string, Section> = {
  server: (engine, state, now) => {
    const uptime = Math.max(0, Math.floor((now - engine.startedAt) / 1000));
    return [
      ['redis_version', REDIS_VERSION],
      ['redis_git_sha1', '00000000'],
      ['redis_git_dirty', 0],
      ['redis_build_id', '0'],
      ['redis_mode', 'standalone'],
      ['os', `${os.type()} ${os.release()} ${os.arch()}`],
      ['arch_bits', 64],
      ['monotonic_clock', 'POSIX clock_gettime'],
      ['multiplexing_api', 'epoll'],
      ['atomicvar_api', 'c11-builtin'],
      ['gcc_version', '0.0.0'],
      ['process_id', process.pid],
      ['process_supervised', 'no'],
      ['run_id', state.runId],
      ['tcp_port', state.config.get('port')],
      ['server_time_usec', now * 1000],
      ['uptime_in_seconds', uptime],
      ['uptime_in_days', Math.floor(uptime / 86400)],
      ['hz', state.config.get('hz')],
      ['configured_hz', state.config.get('hz')],
      ['lru_clock', Math.floor(now / 1000) & 0xffffff],
      ['executable', process.argv[1] ?? ''],
      ['config_file', ''],
      ['io_threads_active', 0],
      ['s3_index_node_version', process.version],
    ];
  },
  clients: (_engine, state) => {
    let pubsubClients = 0;
    let blocked = 0;
    for (const c of state.clients.values()) {
      if (c.isPubSub) pubsubClients++;
      if (c.isBlocked) blocked++;
    }
    return [
      ['connected_clients', state.clients.size],
      ['cluster_connections', 0],
      ['maxclients', state.config.get('maxclients')],
      ['client_recent_max_input_buffer', 0],
      ['client_recent_max_output_buffer', 0],
      ['blocked_clients', blocked],
      ['tracking_clients', 0],
      ['clients_in_timeout_table', 0],
      ['pubsub_clients', pubsubClients],
    ];
  },
  memory: (_engine, state) => {
    const m = process.memoryUsage();
    const used = m.heapUsed + m.external;
    const maxmemory = state.config.getNumber('maxmemory');
    return [
      ['used_memory', used],
      ['used_memory_human', human(used)],
      ['used_memory_rss', m.rss],
      ['used_memory_rss_human', human(m.rss)],
      ['used_memory_peak', used],
      ['used_memory_peak_human', human(used)],
      ['total_system_memory', os.totalmem()],
      ['total_system_memory_human', human(os.totalmem())],
      ['maxmemory', maxmemory],
      ['maxmemory_human', human(maxmemory)],
      ['maxmemory_policy', state.config.get('maxmemory-policy')],
      ['mem_fragmentation_ratio', (m.rss / Math.max(1, used)).toFixed(2)],
      ['mem_allocator', `v8-${process.versions.v8}`],
      ['lazyfree_pending_objects', 0],
    ];
  },
  persistence: (engine, state) => {
    const fields: Array<[string, string | number]> = [
      ['loading', state.loading ? 1 : 0],
      ['async_loading', 0],
      ['rdb_changes_since_last_save', engine.dirty],
      ['rdb_bgsave_in_progress', 0],
      ['rdb_last_save_time', Math.floor(engine.startedAt / 1000)],
      ['rdb_last_bgsave_status', 'ok'],
      ['rdb_last_bgsave_time_sec', -1],
      ['rdb_current_bgsave_time_sec', -1],
      ['aof_enabled', 0],
      ['aof_rewrite_in_progress', 0],
      ['aof_rewrite_scheduled', 0],
      ['aof_last_write_status', 'ok'],
    ];
    // a durable server replaces the fields it knows and adds its own
    for (const [k, v] of state.persistence?.info() ?? []) {
      const i = fields.findIndex(([name]) => name === k);
      if (i >= 0) fields[i] = [k, v];
      else fields.push([k, v]);
    }
    return fields;
  },
  stats: (engine, state) => {
    const hub = pubsubOf(engine);
    let expired = 0;
    for (const db of engine.dbs) expired += db.expiredCount;
    return [
      ['total_connections_received', state.net.connectionsReceived],
      ['total_commands_processed', engine.stats.commandsProcessed],
      ['total_error_replies', engine.commandStats.errorReplies],
      ['instantaneous_ops_per_sec', 0],
      ['total_net_input_bytes', state.net.netInputBytes],
      ['total_net_output_bytes', state.net.netOutputBytes],
      ['rejected_connections', state.net.rejectedConnections],
      ['expired_keys', expired],
      ['evicted_keys', 0],
      ['keyspace_hits', engine.stats.keyspaceHits],
      ['keyspace_misses', engine.stats.keyspaceMisses],
      ['pubsub_channels', hub.numChannels],
      ['pubsub_patterns', hub.numPat],
      ['total_forks', 0],
    ];
  },
  replication: () => [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', '0000000000000000000000000000000000000000'],
    ['master_repl_offset', 0],
    ['repl_backlog_active', 0],
  ],
  cpu: () => {
    const u = process.cpuUsage();
    return [
      ['used_cpu_sys', (u.system / 1e6).toFixed(6)],
      ['used_cpu_user', (u.user / 1e6).toFixed(6)],
      ['used_cpu_sys_children', '0.000000'],
      ['used_cpu_user_children', '0.000000'],
    ];
  },
  modules: () => [],
  commandstats: (engine) =>
    [...engine.callStats()].map(([name, st]) => {
      const usec = Math.round(st.usec);
      const perCall = st.calls > 0 ? (st.usec / st.calls).toFixed(2) : '0.00';
      return [
        `cmdstat_${name}`,
        `calls=${st.calls},usec=${usec},usec_per_call=${perCall},rejected_calls=${st.rejected},failed_calls=${st.failed}`,
      ];
    }),
  errorstats: (engine) => [...engine.commandStats.errorKinds()].map(([kind, n]) => [`errorstat_${kind}`, `count=${n}`]),
  cluster: () => [['cluster_enabled', 0]],
  keyspace: (engine) => {
    const out: Array<[string, string]> = [];
    engine.dbs.forEach((db, i) => {
      if (db.size > 0) out.push([`db${i}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=0`]);
    });
    return out;
  },
};

const DEFAULT = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'errorstats',
  'cluster',
  'keyspace',
];
const ALL = [...DEFAULT.slice(0, 8), 'commandstats', ...DEFAULT.slice(8)];

const title = (s: string) => (s === 'cpu' ? 'CPU' : s[0]!.toUpperCase() + s.slice(1));

/** Renders INFO for the given section names (lower case; empty = default). */
export function renderInfo(engine: Engine, now: number, sections: string[]): string {
  let wanted: string[];
  if (sections.length === 0) wanted = DEFAULT;
  else {
    const set = new Set<string>();
    for (const s of sections) {
      if (s === 'all' || s === 'everything') for (const x of ALL) set.add(x);
      else if (s === 'default') for (const x of DEFAULT) set.add(x);
      else set.add(s);
    }
    wanted = ALL.filter((s) => set.has(s));
  }
  const state = serverStateOf(engine);
  const parts: string[] = [];
  for (const name of wanted) {
    const lines = SECTIONS[name]!(engine, state, now);
    parts.push(`# ${title(name)}\r\n${lines.map(([k, v]) => `${k}:${v}\r\n`).join('')}`);
  }
  return parts.join('\r\n');
}

export const info: CommandSpec = {
  name: 'info',
  arity: -1,
  flags: ['loading', 'stale'],
  keys: NO_KEYS,
  group: 'server',
  acl: ['dangerous'],
  complexity: 'O(1)',
  summary: 'Returns information and statistics about the server.',
  since: '1.0.0',
  run: ({ engine, argv, now }) =>
    verbatim(
      renderInfo(
        engine,
        now,
        argv.slice(1).map((a) => a.toString('latin1').toLowerCase()),
      ),
    ),
};
