import { Engine } from '../../src/engine/engine';
import { describeDifferential } from './harness';
import { LISTS } from './lists';
import { FIXED_SEEDS, generateSequence } from './runner';

/** The command list of issue 24 (the non-blocking list commands), verbatim. */
const ISSUE_COMMANDS =
  'LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP'
    .split(' ')
    .map((c) => c.toLowerCase());

describe('list differential coverage', () => {
  it('every list command of the issue is registered in the engine', () => {
    const engine = new Engine();
    expect(ISSUE_COMMANDS.filter((c) => !engine.lookupCommand(c))).toEqual([]);
  });

  it('every list command of the issue is produced by the generator, in the default seeds', () => {
    const produced = new Set<string>();
    for (const seed of FIXED_SEEDS)
      for (const s of generateSequence(LISTS, seed, 300)) produced.add(s.argv[0]!.toString('latin1').toLowerCase());
    expect(ISSUE_COMMANDS.filter((c) => !produced.has(c))).toEqual([]);
  });

  it('the generator grows lists past the packed limits (more than 128 entries)', () => {
    const grown = FIXED_SEEDS.some((seed) =>
      generateSequence(LISTS, seed, 300).some((s) => /^[lr]push$/i.test(s.argv[0]!.toString()) && s.argv.length > 130),
    );
    expect(grown).toBe(true);
  });
});

describeDifferential(LISTS);
