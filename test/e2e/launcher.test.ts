/**
 * bin/s3-index.js starts `serve` in a child process with the young-generation flag when it was not given one. The
 * child must never outlive the launcher: a launcher killed with SIGKILL (which it cannot pass on) takes the server
 * with it, so no orphan keeps the ports and the data directory.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

test('a launcher killed with SIGKILL leaves no server running', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3-index-launcher-'));
  const resp = await freePort();
  let http = await freePort();
  while (http === resp) http = await freePort();
  const env: Record<string, string | undefined> = { ...process.env, S3_INDEX_API_TOKENS: '' };
  delete env.NODE_OPTIONS;
  const launcher = spawn(
    process.execPath,
    ['bin/s3-index.js', 'serve', '--resp-port', String(resp), '--http-port', String(http), '--data-dir', dir],
    { cwd: root, stdio: 'ignore', env },
  );
  try {
    expect(await until(() => connects(resp), 20_000)).toBe(true);
    launcher.kill('SIGKILL');
    // the server (the launcher's child) goes too: its port closes
    expect(await until(async () => !(await connects(resp)), 10_000)).toBe(true);
    expect(await connects(http)).toBe(false);
  } finally {
    launcher.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 40_000);
