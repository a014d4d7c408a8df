/**
 * The Lambda functions as deployed, for tests: `bundleFunctions` builds each function of serverless.yml with the
 * esbuild options of its `custom.esbuild` (what serverless-esbuild packages), and a `LambdaContainer` is a node
 * process that loads those bundles and invokes their handlers, keeping module state between invocations as a warm
 * container does. A new container is a cold start.
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import yaml from 'js-yaml';

const ROOT = path.resolve(__dirname, '../..');

interface Sls {
  custom: { esbuild: Record<string, unknown> };
  functions: Record<string, { handler: string }>;
}

export interface Bundle {
  /** the bundle's file */
  file: string;
  /** the export the function's handler names */
  exportName: string;
  bytes: number;
}

/** Builds every function of serverless.yml into `outDir` (one bundle each, as deployed). */
export async function bundleFunctions(outDir: string): Promise<Record<string, Bundle>> {
  const sls = yaml.safeLoad(fs.readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')) as Sls;
  const { bundle, minify, sourcemap, target, platform, format, plugins } = sls.custom.esbuild as Record<string, never>;
  const out: Record<string, Bundle> = {};
  for (const [name, fn] of Object.entries(sls.functions)) {
    const dot = fn.handler.lastIndexOf('.');
    const source = `${fn.handler.slice(0, dot)}.ts`;
    const file = path.join(outDir, name, 'index.js');
    await build({
      entryPoints: [path.join(ROOT, source)],
      outfile: file,
      bundle,
      minify,
      sourcemap,
      target,
      platform,
      format,
      // a file exporting esbuild plugins, as serverless-esbuild loads it
      plugins: plugins === undefined ? [] : require(path.join(ROOT, plugins)),
      logLevel: 'warning',
    });
    out[name] = { file, exportName: fn.handler.slice(dot + 1), bytes: fs.statSync(file).size };
  }
  return out;
}

/** One container: a process holding the loaded bundles. */
export class LambdaContainer {
  private readonly child: ChildProcess;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  stderr = '';

  constructor(env: NodeJS.ProcessEnv) {
    this.child = fork(path.join(__dirname, 'lambda-child.js'), [], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // the flags the functions run with (serverless.yml NODE_OPTIONS)
      execArgv: ['--max-semi-space-size=64'],
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      if (this.stderr.length < 100_000) this.stderr += d.toString();
    });
    this.child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (w === undefined) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(m.error));
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`container exited (${code}): ${this.stderr}`));
      this.waiting.clear();
    });
  }

  invoke<T = unknown>(bundle: Bundle, event: unknown): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, file: bundle.file, exportName: bundle.exportName, event });
    });
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}

/** An API Gateway HTTP API (payload format 2.0) request. */
export function apiGatewayEvent(
  method: string,
  rawPath: string,
  opts: { query?: string; body?: string; headers?: Record<string, string> } = {},
): Record<string, unknown> {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: opts.query ?? '',
    headers: { host: 'api.example', ...(opts.headers ?? {}) },
    body: opts.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'jest' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2024:00:00:00 +0000',
      timeEpoch: 1704067200000,
    },
  };
}

export interface ApiResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}
