/**
 * A running 3-node Redis Cluster (3 masters, no replicas) for a test suite.
 *
 * - With S3_INDEX_TEST_REDIS_CLUSTER set (comma-separated host:port seeds, as .ci/run exports), that cluster is used
 *   and never stopped. Several suites may then use it at once (jest runs suites in parallel workers): a suite must
 *   only touch keys of its own buckets (uniqueBucketPrefix) and never FLUSHALL or RedisIndex.dropAll() it
 *   (`handle.shared` says which case it is).
 * - Otherwise a private cluster is started: three redis-server processes on free ports, each in a temp dir of its own
 *   (its nodes.conf), joined by `redis-cli --cluster create`, ready once every node's CLUSTER INFO says
 *   cluster_state:ok. stop() SIGKILLs the three and removes their dirs.
 *
 * Follows test/helpers/redis-server.ts: describeWithTool('redis-server') skips the suite with a reason when the tool
 * is missing, except under CI=true, where it is mandatory.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Cluster, type ClusterOptions, Redis } from 'ioredis';
import { freePort, waitForPort } from './redis-server';

export interface ClusterNodeAddress {
  host: string;
  port: number;
}

export interface RedisClusterHandle {
  /** the seed nodes */
  nodes: ClusterNodeAddress[];
  /** true when the cluster came from S3_INDEX_TEST_REDIS_CLUSTER: other suites may be using it at the same time */
  shared: boolean;
  /** `redis+cluster://host:port,host:port,…` for `serve --redis-url` */
  url: string;
  /** a new ioredis Cluster client on the seeds (the caller disconnects it) */
  client(opts?: ClusterOptions): Cluster;
  /** SIGKILLs the nodes this helper started and removes their dirs; nothing for a shared cluster */
  stop(): Promise<void>;
}

export const CLUSTER_ENV = 'S3_INDEX_TEST_REDIS_CLUSTER';

/** The seeds given in S3_INDEX_TEST_REDIS_CLUSTER, or undefined. */
export function sharedClusterSeeds(): ClusterNodeAddress[] | undefined {
  const raw = process.env[CLUSTER_ENV]?.trim();
  if (!raw) return undefined;
  return raw.split(',').map((s) => {
    const m = /^(.+):(\d+)$/.exec(s.trim());
    if (!m) throw new Error(`${CLUSTER_ENV}: '${s}' is not host:port`);
    return { host: m[1]!, port: Number(m[2]) };
  });
}

/**
 * A bucket-name prefix no other suite (nor an earlier run on a kept cluster) uses: lowercase letters, digits and
 * dashes, so that every `${prefix}-name` is still a plausible bucket name.
 */
export function uniqueBucketPrefix(suite: string): string {
  return `${suite}-${process.pid.toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
}

function run(bin: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Waits until every node says cluster_state:ok and knows every other node (the slots are all assigned). */
export async function waitForClusterOk(nodes: ClusterNodeAddress[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const clients = nodes.map(
    (n) => new Redis({ host: n.host, port: n.port, lazyConnect: true, maxRetriesPerRequest: 1 }),
  );
  for (const c of clients) c.on('error', () => undefined);
  let last = '';
  try {
    for (;;) {
      const states = await Promise.all(
        clients.map(async (c) => {
          try {
            const info = String(await c.call('CLUSTER', 'INFO'));
            const known = Number(/cluster_known_nodes:(\d+)/.exec(info)?.[1] ?? 0);
            return /cluster_state:ok/.test(info) && known >= nodes.length ? 'ok' : info.split('\r\n')[0]!;
          } catch (err) {
            return (err as Error).message;
          }
        }),
      );
      if (states.every((s) => s === 'ok')) return;
      last = states.join(' | ');
      if (Date.now() > deadline) throw new Error(`the cluster is not ok after ${timeoutMs} ms: ${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    for (const c of clients) c.disconnect();
  }
}

/** Distinct free ports (a port freePort just gave may come again until something listens on it). */
async function distinctFreePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

async function startPrivateCluster(): Promise<RedisClusterHandle> {
  const procs: ChildProcess[] = [];
  const dirs: string[] = [];
  const stop = async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  };
  try {
    // three client ports and three cluster-bus ports (cluster-port, Redis ≥ 7): the default bus port (port + 10000)
    // of an ephemeral port may be above 65535 or taken
    const ports = await distinctFreePorts(6);
    const nodes: ClusterNodeAddress[] = [];
    for (let i = 0; i < 3; i++) {
      const port = ports[i]!;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `s3idx-cluster-${port}-`));
      dirs.push(dir);
      const proc = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(ports[i + 3]),
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '5000',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ],
        { cwd: dir, stdio: 'ignore' },
      );
      procs.push(proc);
      nodes.push({ host: '127.0.0.1', port });
    }
    for (const n of nodes) await waitForPort(n.port, 10_000);
    await run(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      30_000,
    );
    await waitForClusterOk(nodes, 30_000);
    return handle(nodes, false, stop);
  } catch (err) {
    await stop();
    throw err;
  }
}

function handle(nodes: ClusterNodeAddress[], shared: boolean, stop: () => Promise<void>): RedisClusterHandle {
  return {
    nodes,
    shared,
    url: `redis+cluster://${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    client: (opts) => new Cluster(nodes, opts),
    stop,
  };
}

/** The cluster of S3_INDEX_TEST_REDIS_CLUSTER (checked to be ok), or a private one started for this suite. */
export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const seeds = sharedClusterSeeds();
  if (seeds !== undefined) {
    await waitForClusterOk(seeds, 30_000);
    return handle(seeds, true, async () => undefined);
  }
  return startPrivateCluster();
}
