/**
 * The forms of `--redis-url` (no client here: config.ts checks a URL without loading ioredis).
 *
 *   redis://[user:password@]host:port[/db]     one server
 *   rediss://…                                  the same over TLS
 *   redis+cluster://[user:password@]host:port[,host:port…]   a cluster, from its seed nodes (or --redis-cluster with
 *                                               redis:// / rediss://; rediss+cluster:// for TLS)
 */
export interface RedisTarget {
  cluster: boolean;
  tls: boolean;
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  db: number;
}

/** Parses a --redis-url; the message of a bad one never repeats its password. */
export function parseRedisUrl(raw: string, forceCluster = false): RedisTarget {
  const m = /^(redis|rediss)(\+cluster)?:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/(\d+))?\/?$/.exec(raw);
  if (!m)
    throw new Error(
      'must look like redis://[user:password@]host:port[/db], rediss://…, or redis+cluster://host:port,host:port',
    );
  const [, scheme, cluster, user, pass, hosts, db] = m;
  const nodes = hosts!.split(',').map((h) => {
    const hm = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h);
    const port = Number(hm?.[2] ?? 6379);
    if (!hm || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`a bad host:port in its host list`);
    return { host: hm[1]!.replace(/^\[(.*)\]$/, '$1'), port };
  });
  const isCluster = cluster !== undefined || forceCluster;
  if (!isCluster && nodes.length > 1) throw new Error('names several hosts: use redis+cluster:// (or --redis-cluster)');
  if (isCluster && db !== undefined && db !== '0') throw new Error('a cluster has only database 0');
  return {
    cluster: isCluster,
    tls: scheme === 'rediss',
    nodes,
    username: user ? decodeURIComponent(user) : undefined,
    password: pass !== undefined ? decodeURIComponent(pass) : undefined,
    db: Number(db ?? 0),
  };
}

/** The target as an operator may see it in a log: no password. */
export function describeRedisTarget(t: RedisTarget): string {
  const who = t.username ? `${t.username}@` : t.password !== undefined ? '(password)@' : '';
  const scheme = `${t.tls ? 'rediss' : 'redis'}${t.cluster ? '+cluster' : ''}`;
  return `${scheme}://${who}${t.nodes.map((n) => `${n.host}:${n.port}`).join(',')}${t.db ? `/${t.db}` : ''}`;
}
