// `npm run offline`: the deployment's functions under `serverless offline` (serverless-offline 13, Framework v3), fed
// by a local S3. docs/local.md is the guide.
//
//   s3rver (src/local/emulator.ts, 127.0.0.1:4569)   bucket `demo` (indexed; --bucket)
//     │ every put/copy/multipart completion/delete, as the EventBridge event S3 would send, in order
//     ▼
//   ingest  ← invoked through serverless-offline's Lambda API (:3002) with an SQS batch, as the queue would
//   api     ← serverless-offline's HTTP API (:3000): /v1/…, /s3/…, /redis…, /healthz, /metrics
//
// Both functions keep their state in s3://s3-index-store/index on a second s3rver (AWS_ENDPOINT_URL_S3; see
// startStoreServer), so a restart restores from it. apiStream (a RESPONSE_STREAM Function URL) is not emulated; compact runs on its schedule.
//
// serverless runs in a staging directory (--build-dir) with copies of serverless.yml, package.json and tsconfig.json
// and links to src and node_modules: serverless-esbuild's bundles (.esbuild/) are written there, not in the checkout, where
// `serverless package` (test/deploy) would overwrite them or remove them when it finishes.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const USAGE = `usage: npm run offline -- [options] [-- serverless offline options]
  --emulator-port N   the local S3 (s3rver)                 4569  S3_INDEX_EMULATOR_PORT
  --emulator-dir DIR  its objects                           .s3-index/offline-s3  S3_INDEX_EMULATOR_DIR
  --store-dir DIR     the index's store (a second s3rver)   .s3-index/offline-store  S3_INDEX_OFFLINE_STORE_DIR
  --bucket NAME       an indexed bucket (repeatable)        demo  S3_INDEX_BUCKETS (comma-separated)
  --http-port N       serverless-offline's HTTP API         3000  S3_INDEX_OFFLINE_HTTP_PORT
  --lambda-port N     serverless-offline's Lambda API       3002  S3_INDEX_OFFLINE_LAMBDA_PORT
  --stage NAME        the stage (function names)            local
  --build-dir DIR     where serverless runs (bundles)       .s3-index/offline-sls  S3_INDEX_OFFLINE_BUILD_DIR
Ctrl-C stops everything; the objects and the index are kept in --emulator-dir for the next start.`;

const STORE_BUCKET = 's3-index-store';
const STORE_PREFIX = 'index';
/** as the deployment's queue: a message that fails this many receives goes to the dead-letter queue */
const MAX_RECEIVE = 10;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function parseArgs(argv, env) {
  const opts = {
    emulatorPort: Number(env.S3_INDEX_EMULATOR_PORT ?? 4569),
    emulatorDir: env.S3_INDEX_EMULATOR_DIR ?? path.join('.s3-index', 'offline-s3'),
    storeDir: env.S3_INDEX_OFFLINE_STORE_DIR ?? path.join('.s3-index', 'offline-store'),
    buckets: (env.S3_INDEX_BUCKETS ?? '').split(',').filter((b) => b !== ''),
    httpPort: Number(env.S3_INDEX_OFFLINE_HTTP_PORT ?? 3000),
    lambdaPort: Number(env.S3_INDEX_OFFLINE_LAMBDA_PORT ?? 3002),
    stage: 'local',
    buildDir: env.S3_INDEX_OFFLINE_BUILD_DIR ?? path.join('.s3-index', 'offline-sls'),
    extra: [],
  };
  const fromFlags = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      opts.extra = argv.slice(i + 1);
      break;
    }
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    const value = () => {
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) fail(`${name} needs a value`);
      return v;
    };
    if (name === '--emulator-port') opts.emulatorPort = Number(value());
    else if (name === '--emulator-dir') opts.emulatorDir = value();
    else if (name === '--store-dir') opts.storeDir = value();
    else if (name === '--bucket') fromFlags.push(value());
    else if (name === '--http-port') opts.httpPort = Number(value());
    else if (name === '--lambda-port') opts.lambdaPort = Number(value());
    else if (name === '--stage') opts.stage = value();
    else if (name === '--build-dir') opts.buildDir = value();
    else fail(`unknown option ${a}\n${USAGE}`);
  }
  if (fromFlags.length > 0) opts.buckets = fromFlags;
  if (opts.buckets.length === 0) opts.buckets = ['demo'];
  for (const p of ['emulatorPort', 'httpPort', 'lambdaPort'])
    if (!Number.isInteger(opts[p]) || opts[p] < 1 || opts[p] > 65535) fail(`${p}: not a port number`);
  for (const b of opts.buckets)
    if (!BUCKET_NAME.test(b)) fail(`--bucket ${JSON.stringify(b)} is not a valid S3 bucket name`);
  opts.emulatorDir = path.resolve(opts.emulatorDir);
  opts.storeDir = path.resolve(opts.storeDir);
  opts.buildDir = path.resolve(opts.buildDir);
  return opts;
}

function fail(message) {
  process.stderr.write(`offline: ${message}\n`);
  process.exit(2);
}

const log = (line) => process.stderr.write(`offline: ${line}\n`);

/** src/local/emulator.ts bundled into dist/ (its dependencies, s3rver, resolved from node_modules). */
async function loadEmulator() {
  const out = path.join(root, 'dist', 'offline-emulator.js');
  const result = await build({
    entryPoints: [path.join(root, 'src/local/emulator.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
    write: false,
    outfile: out,
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // written whole, then renamed: two starts at once (a test beside a user's) never load half a file
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, result.outputFiles[0].contents);
  fs.renameSync(tmp, out);
  return require(out);
}

/**
 * The staging directory serverless runs in, with its own .esbuild/: copies of the project's top-level files (the
 * framework does not take a symlinked serverless.yml for a service), links to src, scripts (serverless.yml names files
 * there: the esbuild plugins) and node_modules.
 */
function stage(buildDir) {
  fs.mkdirSync(buildDir, { recursive: true });
  for (const name of ['serverless.yml', 'package.json', 'tsconfig.json']) {
    const file = path.join(buildDir, name);
    fs.rmSync(file, { force: true });
    fs.copyFileSync(path.join(root, name), file);
  }
  for (const name of ['src', 'scripts', 'node_modules']) {
    const link = path.join(buildDir, name);
    const target = path.join(root, name);
    try {
      if (fs.readlinkSync(link) === target) continue;
      fs.rmSync(link, { force: true });
    } catch (err) {
      if (err.code !== 'ENOENT') fs.rmSync(link, { force: true, recursive: true });
    }
    fs.symlinkSync(target, link);
  }
}

/** The SQS record the deployment's queue would deliver for one EventBridge event. */
function sqsRecord(event, stageName) {
  const body = JSON.stringify(event);
  const now = String(Date.now());
  return {
    messageId: typeof event?.id === 'string' ? event.id : randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'AIDAOFFLINE',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:s3-index-${stageName}-IngestQueue`,
    awsRegion: 'us-east-1',
  };
}

/**
 * Hands the emulator's events to the ingest function as one SQS batch, through serverless-offline's Lambda API
 * (what the Lambda service does for the deployment's event source mapping). A failed invocation rejects, so
 * the emulator retries the batch; the messages of a partial batch response are sent again, and one that fails
 * MAX_RECEIVE times is logged and dropped (the deployment's dead-letter queue).
 */
function ingestVia(opts) {
  const fn = `s3-index-${opts.stage}-ingest`;
  const url = `http://127.0.0.1:${opts.lambdaPort}/2015-03-31/functions/${fn}/invocations`;
  const indexed = new Set(opts.buckets);
  return async (events) => {
    // as the deployment's EventBridge rule: the indexed buckets' events only
    const wanted = events.filter((e) => indexed.has(e?.detail?.bucket?.name));
    let records = wanted.map((e) => sqsRecord(e, opts.stage));
    for (let receive = 1; records.length > 0; receive++) {
      for (const r of records) r.attributes.ApproximateReceiveCount = String(receive);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ Records: records }),
      });
      const text = await res.text();
      if (res.status !== 200 || res.headers.get('x-amz-function-error') !== null)
        throw new Error(`ingest invocation failed (${res.status}): ${text.slice(0, 300)}`);
      const failed = new Set((JSON.parse(text || '{}').batchItemFailures ?? []).map((f) => f.itemIdentifier));
      if (failed.size === 0) return;
      records = records.filter((r) => failed.has(r.messageId));
      if (receive >= MAX_RECEIVE) {
        log(
          `${records.length} message(s) failed ${MAX_RECEIVE} receives: dropped (the deployment's dead-letter queue)`,
        );
        for (const r of records.slice(0, 3)) log(`  dropped: ${r.body.slice(0, 300)}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** receive)));
    }
  };
}

/**
 * The index's store: a second s3rver, without the emulator's event hook. In the emulator itself, every blob ingest
 * commits would become an event queued behind the batch being committed, and each store write would wait for it
 * (the emulator answers a write once its event is ingested: 2 s cap). On an ephemeral port: only the functions use
 * it (AWS_ENDPOINT_URL_S3); s3rver enforces no conditional writes, so the store runs unfenced (one line logged).
 */
async function startStoreServer(directory) {
  const S3rver = require('s3rver');
  fs.mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    resetOnClose: false,
    // any credentials (the emulator has made s3rver take any access key)
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: STORE_BUCKET }],
  });
  const address = await server.run();
  return { endpoint: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

/**
 * The deployment's api reads its tokens from an SSM parameter (S3_INDEX_API_TOKENS_PARAM; the framework refuses an
 * empty `--param`, so the variable cannot be cleared). Offline, the SDK is pointed at this stand-in
 * (AWS_ENDPOINT_URL_SSM): GetParameter answers the value of S3_INDEX_API_TOKENS, '' by default (an open API).
 */
async function startSsmStandIn(tokens) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'AmazonSSM.GetParameter') {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'InvalidAction', message: `${target} is not emulated offline` }));
        return;
      }
      let name = '';
      try {
        name = String(JSON.parse(body).Name ?? '');
      } catch {}
      res.end(
        JSON.stringify({
          Parameter: {
            Name: name,
            Type: 'SecureString',
            Value: tokens,
            Version: 1,
            LastModifiedDate: Math.floor(Date.now() / 1000),
            ARN: `arn:aws:ssm:us-east-1:000000000000:parameter${name}`,
            DataType: 'text',
          },
        }),
      );
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  server.unref();
  return `http://127.0.0.1:${server.address().port}`;
}

function banner(opts, emulatorEndpoint, store) {
  const http = `http://127.0.0.1:${opts.httpPort}`;
  const b = opts.buckets[0];
  const aws = `AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --endpoint-url ${emulatorEndpoint} --region us-east-1`;
  return [
    '',
    `  HTTP API (api function)   ${http}   /v1/…  /s3/…  /redis  /healthz  /metrics`,
    `  Lambda API                http://127.0.0.1:${opts.lambdaPort}   functions s3-index-${opts.stage}-{ingest,api,compact}`,
    `  S3 emulator               ${emulatorEndpoint}   buckets: ${opts.buckets.join(', ')}   objects in ${opts.emulatorDir}`,
    `  index store               s3://${STORE_BUCKET}/${STORE_PREFIX} on ${store}   blobs in ${opts.storeDir}`,
    '',
    'Try:',
    `  echo hello > hello.txt && ${aws} s3 cp hello.txt s3://${b}/docs/hello.txt`,
    `  curl -s '${http}/v1/buckets/${b}/objects?delimiter=/'`,
    `  curl -s ${http}/redis -d '["ZRANGE","s3idx:{${b}}:keys","-","+","BYLEX"]'`,
    `  AWS_ACCESS_KEY_ID=any AWS_SECRET_ACCESS_KEY=any aws s3 ls s3://${b} --recursive --endpoint-url ${http}/s3 --region us-east-1`,
    'Ctrl-C stops both; the objects and the index are kept for the next start.',
    '',
  ].join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), process.env);
  const serverlessBin = path.join(root, 'node_modules/serverless/bin/serverless.js');
  if (!fs.existsSync(serverlessBin) || !fs.existsSync(path.join(root, 'node_modules/serverless-offline')))
    fail('serverless and serverless-offline are not installed (npm install)');
  const started = Date.now();
  const { startEmulator } = await loadEmulator();
  stage(opts.buildDir);

  let emulator;
  try {
    emulator = await startEmulator({
      host: '127.0.0.1',
      port: opts.emulatorPort,
      directory: opts.emulatorDir,
      buckets: opts.buckets,
      onEvents: ingestVia(opts),
      log,
    });
  } catch (err) {
    if (err.code === 'EADDRINUSE') fail(`the S3 emulator's port ${opts.emulatorPort} is in use (--emulator-port)`);
    throw err;
  }

  const store = await startStoreServer(opts.storeDir);
  const ssm = await startSsmStandIn(process.env.S3_INDEX_API_TOKENS ?? '');
  const args = [
    serverlessBin,
    'offline',
    'start',
    '--stage',
    opts.stage,
    `--param=store=s3://${STORE_BUCKET}/${STORE_PREFIX}`,
    '--host',
    '127.0.0.1',
    '--httpPort',
    String(opts.httpPort),
    '--lambdaPort',
    String(opts.lambdaPort),
    ...opts.extra,
  ];
  const child = spawn(process.execPath, args, {
    cwd: opts.buildDir,
    // its own process group: Ctrl-C reaches this script, which drains the emulator before stopping it
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_S3: store.endpoint,
      AWS_ENDPOINT_URL_SSM: ssm,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      SLS_DEPRECATION_DISABLE: '*',
      FORCE_COLOR: process.env.FORCE_COLOR ?? '0',
    },
  });
  let ready = false;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const forward = (stream, out) => {
    let pending = '';
    stream.on('data', (chunk) => {
      out.write(chunk);
      if (ready) return;
      pending = (pending + chunk.toString()).slice(-4096);
      if (/Server ready:/.test(pending)) {
        ready = true;
        process.stdout.write(banner(opts, emulator.endpoint, store.endpoint));
        log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);

  let stopping;
  const stop = (why) => {
    stopping ??= (async () => {
      if (why !== undefined) log(why);
      // the emulator first: what it accepted is still handed to ingest (5 s cap), then serverless
      await emulator.close().catch((err) => log(`emulator close: ${err.message}`));
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await store.close().catch((err) => log(`store close: ${err.message}`));
    })();
    return stopping;
  };
  process.on('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (stopping !== undefined) process.exit(130);
      void stop(`${sig}: stopping`).then(() => process.exit(0));
    });
  }
  const { code, signal } = await exited;
  if (stopping === undefined) {
    log(`serverless offline exited (${signal ?? code}) before it was stopped`);
    await stop();
    process.exit(code === 0 ? 1 : (code ?? 1));
  }
}

main().catch((err) => {
  process.stderr.write(`offline: ${err.stack ?? err}\n`);
  process.exit(1);
});
