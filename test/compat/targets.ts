/**
 * The servers a compatibility suite runs against: ours (in-process) and, when installed, the real redis-server,
 * so every expectation is checked against the oracle too. Each target can be started with a password.
 */
import { hasTool, startRedisServer } from '../helpers/redis-server';
import { startTestServer } from '../server/harness';

export interface Target {
  name: string;
  start(opts?: { requirepass?: string }): Promise<{ port: number; stop(): Promise<void> }>;
}

export const OURS: Target = {
  name: 's3-index',
  start: async (opts = {}) => {
    const s = await startTestServer(opts.requirepass ? { requirepass: opts.requirepass } : {});
    return { port: s.port, stop: s.stop };
  },
};

export const REDIS: Target = {
  name: 'redis-server',
  start: async (opts = {}) => {
    const s = await startRedisServer(opts.requirepass ? ['--requirepass', opts.requirepass] : []);
    return { port: s.port, stop: s.stop };
  },
};

/** Ours always; redis-server when installed (mandatory when CI=true). */
export function targets(): Target[] {
  if (hasTool('redis-server') || process.env.CI === 'true') return [OURS, REDIS];
  console.warn("SKIPPED redis-server target: 'redis-server' is not installed; set CI=true to make it mandatory");
  return [OURS];
}
