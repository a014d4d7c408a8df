/**
 * WATCH against FLUSHALL, FLUSHDB and SWAPDB, compared with redis-server: like Redis (touchAllWatchedKeysInDb), a
 * flush invalidates only watched keys that existed, and SWAPDB those that exist in either database. The same
 * scenario runs against both servers, each with two connections, and every reply must be equal.
 */

import { describeWithTool } from '../helpers/redis-server';
import type { Decoded } from '../protocol/resp-reader';
import { RawClient, useServerPair } from './harness';

type Step = [client: 'a' | 'b', line: string];

/** Runs the steps (inline commands, one reply each) on a server; returns every reply. */
async function run(port: number, steps: readonly Step[]): Promise<Decoded[]> {
  const a = await RawClient.connect(port);
  const b = await RawClient.connect(port);
  try {
    const out: Decoded[] = [];
    for (const [who, line] of steps) out.push(...(await (who === 'a' ? a : b).call(`${line}\r\n`)));
    return out;
  } finally {
    a.close();
    b.close();
  }
}

/** WATCH `keys` (after `setup`), let client b run `action`, then try a transaction: null means it was aborted. */
function scenario(setup: string[], keys: string[], action: string[], selectA = 0, selectB = 0): Step[] {
  return [
    ['a', 'FLUSHALL'],
    ['a', `SELECT ${selectA}`],
    ['b', `SELECT ${selectB}`],
    ...setup.map((l): Step => ['b', l]),
    ['a', `WATCH ${keys.join(' ')}`],
    ...action.map((l): Step => ['b', l]),
    ['a', 'MULTI'],
    ['a', 'SET done 1'],
    ['a', 'EXEC'],
  ];
}

describeWithTool('redis-server')('WATCH and FLUSHALL / FLUSHDB / SWAPDB, like redis-server', () => {
  const servers = useServerPair();

  const cases: Array<[string, Step[]]> = [
    ['FLUSHALL with the watched key missing: EXEC runs', scenario([], ['k'], ['FLUSHALL'])],
    ['FLUSHALL with the watched key present: EXEC aborts', scenario(['SET k 1'], ['k'], ['FLUSHALL'])],
    ['FLUSHALL, one of two watched keys present', scenario(['SET k2 1'], ['k1', 'k2'], ['FLUSHALL'])],
    ['FLUSHALL ASYNC with a present key', scenario(['SET k 1'], ['k'], ['FLUSHALL ASYNC'])],
    ['FLUSHDB of another database holding the key', scenario(['SELECT 1', 'SET k 1'], ['k'], ['FLUSHDB'])],
    ['FLUSHDB of the watched database', scenario(['SET k 1'], ['k'], ['FLUSHDB'])],
    ['FLUSHDB with the key missing', scenario(['SET other 1'], ['k'], ['FLUSHDB'])],
    ['FLUSHALL with the key in another database', scenario(['SELECT 3', 'SET k 1'], ['k'], ['FLUSHALL'])],
    ['SWAPDB, key in neither database', scenario(['SET x 1'], ['k'], ['SWAPDB 0 1'])],
    ['SWAPDB, key in the watched database', scenario(['SET k 1'], ['k'], ['SWAPDB 0 1'])],
    ['SWAPDB, key in the other database', scenario(['SELECT 1', 'SET k 1'], ['k'], ['SWAPDB 0 1'])],
    ['SWAPDB of two other databases', scenario(['SELECT 2', 'SET k 1'], ['k'], ['SWAPDB 2 3'])],
    ['SWAPDB with itself', scenario(['SET k 1'], ['k'], ['SWAPDB 0 0'])],
  ];

  it.each(cases)('%s', async (_name, steps) => {
    const theirs = await run(servers.redisPort, steps);
    const mine = await run(servers.oursPort, steps);
    expect(mine).toEqual(theirs);
  });

  it('SWAPDB exchanges contents and expiries; clients keep their database number; errors as Redis words them', async () => {
    const steps: Step[] = [
      ['a', 'FLUSHALL'],
      ['a', 'SET a 1'],
      ['a', 'SET t 1 PX 100000'],
      ['b', 'SELECT 5'],
      ['b', 'SET b 2'],
      ['a', 'SWAPDB 0 5'],
      ['a', 'GET a'],
      ['a', 'GET b'],
      ['a', 'DBSIZE'],
      ['b', 'GET a'],
      ['b', 'EXISTS t'],
      ['b', 'PTTL t'],
      ['b', 'SWAPDB 5 0'],
      ['b', 'GET b'],
      ['a', 'GET a'],
      ['a', 'SWAPDB 0 x'],
      ['a', 'SWAPDB x 0'],
      ['a', 'SWAPDB 0 16'],
      ['a', 'SWAPDB -1 0'],
      ['a', 'SWAPDB 99999999999 0'],
      ['a', 'SWAPDB 0 2147483648'],
      ['a', 'SWAPDB +1 0'],
      ['a', 'SWAPDB 0'],
    ];
    const theirs = await run(servers.redisPort, steps);
    const mine = await run(servers.oursPort, steps);
    // the PTTL is a little lower on the slower side; both are just below 100000
    const pttl = steps.findIndex(([, l]) => l === 'PTTL t');
    for (const r of [theirs, mine]) {
      expect(r[pttl]).toBeGreaterThan(90_000);
      r[pttl] = 'pttl';
    }
    expect(mine).toEqual(theirs);
  });
});
