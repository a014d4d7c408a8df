/**
 * The README's quick start, run as written: the shell blocks of its "Quick start" section are parsed from README.md
 * (so this test breaks when the README and the code disagree), run in order against the built `s3-index serve` on
 * free ports, and each command's output is compared with the `# →` lines that follow it in the README.
 *
 * README conventions this test reads: in a ```sh block, `# → text` lines are the output of the command above them
 * (`…` stands for any text, also several lines); other `#` lines are comments; a line ending in `\` continues. The
 * `npm …` lines are the set-up this test does itself (build, then `s3-index serve`). Times are compared in UTC.
 * Substitutions: the HTTP port 8080 and the RESP port 6380 become the test's ports, `npx s3-index` the built CLI
 * (package.json's bin), and redis-cli prints as on a terminal (`--no-raw`).
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, hasTool, waitForPort } from '../helpers/redis-server';

const root = path.join(__dirname, '../..');
const TOOLS = ['curl', 'aws', 'redis-cli'];

interface Example {
  /** the command as the README writes it (continuation lines joined) */
  command: string;
  /** the `# →` lines after it */
  expected: string[];
  /** its line in README.md, for failure messages */
  line: number;
}

/** The ```sh blocks of the README section headed `heading`, each as its list of lines with their line numbers. */
function shellBlocks(readme: string, heading: string): Array<Array<{ text: string; line: number }>> {
  const lines = readme.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no '${heading}' section`);
  const blocks: Array<Array<{ text: string; line: number }>> = [];
  let block: Array<{ text: string; line: number }> | undefined;
  for (let i = start + 1; i < lines.length && !lines[i]!.startsWith('## '); i++) {
    const text = lines[i]!;
    if (block === undefined) {
      if (text === '```sh') block = [];
    } else if (text === '```') {
      blocks.push(block);
      block = undefined;
    } else {
      block.push({ text, line: i + 1 });
    }
  }
  return blocks;
}

/** A block's commands, each with the output lines the README promises for it. */
function examples(block: Array<{ text: string; line: number }>): Example[] {
  const out: Example[] = [];
  let continued: Example | undefined;
  for (const { text, line } of block) {
    if (continued !== undefined) {
      continued.command += `\n${text}`;
      if (!text.endsWith('\\')) continued = undefined;
      continue;
    }
    const output = /^# →(?: (.*))?$/.exec(text);
    if (output !== null) {
      const last = out[out.length - 1];
      if (last === undefined) throw new Error(`README.md:${line}: output line before any command`);
      last.expected.push(output[1] ?? '');
    } else if (text.startsWith('#') || text.trim() === '') {
      // a comment
    } else {
      const example: Example = { command: text, expected: [], line };
      out.push(example);
      if (text.endsWith('\\')) continued = example;
    }
  }
  return out;
}

/** The promised output as a whole-text pattern: `…` is any text; lines compared without trailing blanks. */
function outputPattern(expected: string[]): RegExp {
  const text = expected.map((l) => l.trimEnd()).join('\n');
  const escaped = text
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*?');
  return new RegExp(`^${escaped}$`);
}

const normalized = (stdout: string): string =>
  stdout
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');

const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = shellBlocks(readme, '## Quick start');
const [setup, ...runnable] = blocks;
const EXAMPLES = runnable.flatMap(examples);

const missing = TOOLS.filter((t) => !hasTool(t));
const inCi = process.env.CI === 'true';
if (missing.length > 0 && !inCi) {
  console.warn(
    `SKIPPED: the README quick-start test needs ${missing.join(', ')} (apt-get install curl awscli redis-tools); ` +
      'set CI=true to make it mandatory',
  );
}
const describeQuickStart = missing.length > 0 && !inCi ? describe.skip : describe;

describe('README quick start (parsed from README.md)', () => {
  it('has the set-up block, then the examples, every one with the output it promises', () => {
    expect(setup?.map((l) => l.text.split('#')[0]!.trim())).toEqual(['npm install && npm start', 'npm test']);
    expect(blocks.length).toBeGreaterThanOrEqual(3); // set-up, the first listing, the client commands
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(10);
    for (const e of EXAMPLES) {
      expect({ line: e.line, command: e.command, hasOutput: e.expected.length > 0 }).toEqual({
        line: e.line,
        command: e.command,
        hasOutput: true,
      });
    }
  });

  it('describes the set-up the test reproduces: npm start runs `s3-index dev`, npx s3-index is the bin', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.bin['s3-index']).toBe('bin/s3-index.js');
    expect(pkg.scripts.start).toMatch(/^node scripts\/build\.mjs && node .*bin\/s3-index\.js dev$/);
    expect(setup?.[0]?.text).toMatch(
      /serves RESP on 127\.0\.0\.1:6380 and HTTP on 127\.0\.0\.1:8080, with a local S3 on :4569/,
    );
  });
});

describeQuickStart('README quick start, run in order against `s3-index dev` (what npm start runs)', () => {
  let proc: ChildProcess | undefined;
  let respPort: number;
  let httpPort: number;
  let emulatorPort: number;
  let home: string;
  let serverLog = '';

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and ${missing.join(', ')} not installed`);
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
    respPort = await freePort();
    httpPort = await freePort();
    emulatorPort = await freePort();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 's3-index-readme-'));
    proc = spawn(
      process.execPath,
      [
        'bin/s3-index.js',
        'dev',
        '--resp-port',
        String(respPort),
        '--http-port',
        String(httpPort),
        '--emulator-port',
        String(emulatorPort),
        // npm start keeps both under .s3-index/ in the checkout; the test in its own directory
        '--data-dir',
        path.join(home, 'data'),
        '--emulator-dir',
        path.join(home, 's3'),
      ],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, S3_INDEX_API_TOKENS: '' } },
    );
    proc.stderr!.on('data', (d: Buffer) => {
      serverLog += d.toString();
    });
    await waitForPort(respPort, 10_000);
    await waitForPort(httpPort, 10_000);
    await waitForPort(emulatorPort, 10_000);
  });

  it("dev's defaults are the ports the README's commands use", () => {
    const usage = execFileSync(process.execPath, ['bin/s3-index.js', 'dev', '--help'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(usage).toContain('[--host 127.0.0.1]');
    expect(usage).toContain('[--resp-port 6380]');
    expect(usage).toContain('[--http-port 8080]');
    expect(usage).toContain('[--emulator-port 4569]');
    expect(usage).toContain('[--bucket demo ...]');
  });

  afterAll(async () => {
    if (proc !== undefined && proc.exitCode === null) {
      const closed = new Promise((r) => proc!.once('close', r));
      proc.kill('SIGTERM');
      await closed;
    }
    if (home !== undefined) fs.rmSync(home, { recursive: true, force: true });
  });

  /** The README command with the test's ports and the built CLI. */
  function localized(command: string): string {
    const s = command
      .replaceAll('localhost:8080', `127.0.0.1:${httpPort}`)
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${httpPort}`)
      .replaceAll('127.0.0.1:4569', `127.0.0.1:${emulatorPort}`)
      .replace(/\bredis-cli -p 6380\b/g, `redis-cli --no-raw -p ${respPort}`)
      .replace(/\bnpx s3-index\b/g, `'${process.execPath}' bin/s3-index.js`);
    // a port written some other way would reach whatever listens there: fail instead
    if (/\b(8080|6380|4569)\b/.test(s))
      throw new Error(`README command uses a port this test does not substitute: ${s}`);
    return s;
  }

  const run = (command: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        'sh',
        ['-c', command],
        {
          cwd: root,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            HOME: home,
            TZ: 'UTC',
            // the client commands' server (the README's default is http://127.0.0.1:8080)
            S3_INDEX_URL: `http://127.0.0.1:${httpPort}`,
            AWS_CONFIG_FILE: path.join(home, 'aws-config'),
            AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws-credentials'),
            AWS_EC2_METADATA_DISABLED: 'true',
            AWS_MAX_ATTEMPTS: '1',
          },
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });

  // in order: each example reads what the ones before it wrote
  it.each(EXAMPLES.map((e) => [e.line, e.command.split('\n')[0]!, e] as const))(
    'README.md:%i  %s',
    async (_line, _first, example) => {
      const r = await run(localized(example.command));
      const stdout = normalized(r.stdout);
      if (r.code !== 0 || !outputPattern(example.expected).test(stdout)) {
        throw new Error(
          `README.md:${example.line}: the example does not print what the README says\n$ ${example.command}\n` +
            `--- README (# →)\n${example.expected.join('\n')}\n--- printed (exit ${r.code})\n${stdout}\n` +
            `--- stderr\n${r.stderr}--- server log\n${serverLog}`,
        );
      }
    },
  );
});
