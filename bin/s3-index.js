#!/usr/bin/env node
// The `s3-index` command: runs the bundled CLI (built into dist/ by `npm run build`, which `npm install` runs).
//
// `serve` wants a 64 MB young generation (--max-semi-space-size=64, as `npm start` passes): listings allocate many
// short-lived objects, and with V8's default they are promoted and collected by the old-generation GC (the full
// NDJSON export of 1M keys takes 2-3x longer). V8 reads that flag only at start-up, so a `serve` started without it
// runs in a child process that has it; signals sent to this process are passed on, its exit is the child's, and the
// child stops when this process dies of a signal it cannot pass on (SIGKILL).
//
// `dev` also runs s3rver, whose continuation tokens (listings past 1000 keys) use a cipher that OpenSSL 3 keeps in
// its legacy provider: that process gets --openssl-legacy-provider.
const command = process.argv[2];
const has = (flag) => process.execArgv.some((a) => a.startsWith(flag)) || (process.env.NODE_OPTIONS ?? '').includes(flag);
const flags = [];
if ((command === 'serve' || command === 'dev') && !has('--max-semi-space-size')) flags.push('--max-semi-space-size=64');
if (command === 'dev' && !has('--openssl-legacy-provider')) flags.push('--openssl-legacy-provider');
const needsFlag = flags.length > 0;

if (!needsFlag) {
  if (process.env.S3_INDEX_LAUNCHER === '1' && process.send !== undefined) {
    // started by the launcher below: a launcher that dies without passing a signal on (SIGKILL) must not leave this
    // server running on its own, holding the ports and the data directory; die the same way it did
    delete process.env.S3_INDEX_LAUNCHER;
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
    process.channel?.unref();
  }
  require('../dist/cli.js');
} else {
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, [...flags, ...process.execArgv, __filename, ...process.argv.slice(2)], {
    // the IPC channel closes when this process dies, however it dies: the child then stops too (see above)
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, S3_INDEX_LAUNCHER: '1' },
  });
  child.channel?.unref();
  // (Ctrl-C reaches the child twice, from the terminal and from here: serve ignores signals once it is stopping)
  const forward = (signal) => () => child.kill(signal);
  const handlers = {};
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    handlers[signal] = forward(signal);
    process.on(signal, handlers[signal]);
  }
  child.on('exit', (code, signal) => {
    for (const [s, h] of Object.entries(handlers)) process.off(s, h);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
  child.on('error', (err) => {
    process.stderr.write(`s3-index: cannot start the server process: ${err.message}\n`);
    process.exit(1);
  });
}
