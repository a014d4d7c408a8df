/**
 * Meta-tests over the command table: every registered command is documented, has a well-formed spec and is
 * called by at least one test (a real call: see test/helpers/command-calls.ts for the forms that count).
 */
import fs from 'node:fs';
import path from 'node:path';
import { commandKeys } from '../../src/engine/command';
import { validateTable } from '../../src/engine/commands/table';
import { createEngine } from '../../src/service/create-engine';
import { commandsCalledIn } from '../helpers/command-calls';

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(p));
    else if (entry.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const sorted = (names: Set<string>) => [...names].sort();

describe('command table', () => {
  const engine = createEngine();
  const specs = [...engine.table.values()];

  it('validates at start-up and rejects malformed specs', () => {
    expect(() => validateTable(specs)).not.toThrow();
    const ping = engine.table.get('ping')!;
    expect(() => validateTable([ping, ping])).toThrow(/registered twice/);
    expect(() => validateTable([{ ...ping, name: 'PING' }])).toThrow(/lower case/);
    expect(() => validateTable([{ ...ping, arity: 0 }])).toThrow(/arity/);
    expect(() => validateTable([{ ...ping, flags: ['write', 'readonly'] }])).toThrow(/both/);
  });

  it('every command is called by some test', () => {
    const called = new Set<string>();
    // this file's own examples below are not tests of the commands they name
    for (const file of testFiles(path.join(__dirname, '..'))) {
      if (file === __filename) continue;
      for (const name of commandsCalledIn(fs.readFileSync(file, 'utf8'), file)) called.add(name);
    }
    const untested = specs.map((s) => s.name).filter((name) => !called.has(name));
    expect(untested).toEqual([]);
  });

  it('counts calls, not names in comments, test titles or expected replies', () => {
    const engineTest = `
      import { engineHarness } from '../helpers/engine';
      // exec('discard') in a comment
      /* call('UNWATCH') in a block comment */
      it('monitor sees every command', () => {
        const { exec, raw, engine } = engineHarness();
        expect(exec('command', 'info', 'time')).toEqual([['time', 2]]);
        expect(exec('echo', 'hello world')).toBe('hello world');
        exec('ZADD', 'z', '1', 'a');
        raw('get', 'k');
        engine.execute(['zrangebylex', 'z', '-', '+'].map((s) => Buffer.from(s)));
        c.call('MULTI\\r\\nWATCH k\\r\\nEXEC\\r\\n', 3);
        c.call([B('SET'), B('k'), B('v')]);
        post('/redis', ['HGET', 'h', 'f']);
        redisCli(port, [], 'incr n\\nping\\n');
      });
    `;
    expect(sorted(commandsCalledIn(engineTest))).toEqual([
      'command',
      'echo',
      'exec',
      'get',
      'hget',
      'incr',
      'multi',
      'ping',
      'set',
      'watch',
      'zadd',
      'zrangebylex',
    ]);
    const clientTest = `
      import Redis from 'ioredis';
      const r = new Redis(port);
      await r.zadd('z', 1, 'a'); // r.hgetall('h')
    `;
    expect(sorted(commandsCalledIn(clientTest))).toEqual(['zadd']);
    const scripts = `
      import { describeScriptedSessions } from '../../helpers/scripted-sessions';
      describeScriptedSessions('zscore', { reads: ['zadd z 1 a', 'zrank z a'] }); // 'zrem z a'
    `;
    expect(sorted(commandsCalledIn(scripts))).toEqual(['zadd', 'zrank']);
  });

  it('derives key positions from key specs', () => {
    const argv = ['mset', 'a', '1', 'b', '2'].map((s) => Buffer.from(s));
    const mset = engine.table.get('mset');
    if (mset) expect(commandKeys(mset, argv).map(String)).toEqual(['a', 'b']);
    const ping = engine.table.get('ping')!;
    expect(commandKeys(ping, [Buffer.from('ping')])).toEqual([]);
  });
});
