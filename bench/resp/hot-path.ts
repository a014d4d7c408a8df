/**
 * In-process hot path: parse → execute → serialize for pipelined SET/GET batches, without sockets.
 * usage: npx esbuild-run … or via jest-free `node --import` — run with: npx tsx? (bundled by bench/resp/run-hot-path.mjs)
 */
import { newSession } from '../../src/engine/engine';
import { RespParser } from '../../src/protocol/parser';
import { encodeCommand, ReplyWriter } from '../../src/protocol/writer';
import { createEngine } from '../../src/service/create-engine';

const engine = createEngine();
const session = newSession();
const batch: Buffer[] = [];
for (let i = 0; i < 16; i++) batch.push(encodeCommand(['SET', `key:${i}`, 'xxx']));
for (let i = 0; i < 16; i++) batch.push(encodeCommand(['GET', `key:${i}`]));
const chunk = Buffer.concat(batch);
const parser = new RespParser();
const writer = new ReplyWriter();
const N = 100_000;
const c0 = process.cpuUsage();
let cmds = 0;
for (let i = 0; i < N; i++) {
  parser.feed(chunk);
  for (;;) {
    const argv = parser.next();
    if (!argv) break;
    const spec = engine.lookupCommand(argv[0]!)!;
    writer.write(engine.run(spec, argv, session), 2);
    cmds++;
  }
  writer.take();
}
const c = process.cpuUsage(c0);
const secs = (c.user + c.system) / 1e6;
process.stdout.write(`${cmds} commands in ${secs.toFixed(2)} CPU s: ${Math.round(cmds / secs)} commands/s\n`);
