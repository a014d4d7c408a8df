/**
 * Meta-tests over the command table: every registered command is documented, has a well-formed spec and is
 * exercised by at least one engine test that calls it by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { commandKeys } from '../../src/engine/command';
import { validateTable } from '../../src/engine/commands/table';
import { createEngine } from '../../src/service/create-engine';

function testSources(dir: string): string {
  let all = '';
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) all += testSources(p);
    else if (entry.name.endsWith('.test.ts')) all += fs.readFileSync(p, 'utf8').toLowerCase();
  }
  return all;
}

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

  it('every command is called by name in some test', () => {
    const sources = testSources(path.join(__dirname, '..'));
    const untested = specs
      .map((s) => s.name)
      .filter((name) => !new RegExp(`(?:['"\`]|\\\\n)${name.replace(/[.|]/g, '\\$&')}[\\s'"\`\\\\]`).test(sources));
    expect(untested).toEqual([]);
  });

  it('derives key positions from key specs', () => {
    const argv = ['mset', 'a', '1', 'b', '2'].map((s) => Buffer.from(s));
    const mset = engine.table.get('mset');
    if (mset) expect(commandKeys(mset, argv).map(String)).toEqual(['a', 'b']);
    const ping = engine.table.get('ping')!;
    expect(commandKeys(ping, [Buffer.from('ping')])).toEqual([]);
  });
});
