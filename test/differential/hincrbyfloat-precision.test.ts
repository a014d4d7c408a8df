/**
 * HINCRBYFLOAT (and INCRBYFLOAT, which shares the long-double emulation) against redis-server on random decimal
 * and hex inputs: many digits, tiny and huge exponents, exact ties at the 17th decimal, long chains of sums.
 */
import { Engine } from '../../src/engine/engine';
import { encodeResp2, engineTarget, showResp2, useOracleClient } from '../helpers/oracle';
import { describeWithTool } from '../helpers/redis-server';
import { Rng } from './random';
import { b } from './vocab';

function randomNumber(r: Rng): string {
  const sign = r.pick(['', '-', '+']);
  switch (r.int(0, 5)) {
    case 0:
      return `${sign}${r.int(0, 99999)}.${String(r.int(0, 999999999)).padStart(9, '0')}`;
    case 1:
      return `${sign}${r.int(1, 9)}.${r.int(0, 99999999)}e${r.int(-30, 30)}`;
    case 2:
      return `${sign}${r.int(1, 9)}e${r.int(-4950, 4931)}`;
    case 3:
      return `${sign}0x${r.int(1, 0xffffff).toString(16)}p${r.int(-80, 80)}`;
    case 4: // multiples of 2^-18..2^-20: exact binary values whose 18th+ decimals decide the %.17Lf rounding
      return `${sign}${r.int(1, 1000) / 2 ** r.int(17, 20)}`;
    default:
      return `${sign}0.${'0'.repeat(r.int(0, 20))}${r.int(1, 99999)}`;
  }
}

describeWithTool('redis-server')('HINCRBYFLOAT / INCRBYFLOAT long-double precision vs redis-server', () => {
  const oracle = useOracleClient();

  it.each([1, 2, 3])('seed %i: 600 random increments give identical replies', async (seed) => {
    const r = new Rng(seed);
    const engine = engineTarget(new Engine());
    await oracle().call([b('FLUSHALL')]);
    for (let i = 0; i < 600; i++) {
      const field = `f${r.int(0, 5)}`;
      const argv = r.chance(0.5)
        ? [b('HINCRBYFLOAT'), b('h'), b(field), b(randomNumber(r))]
        : [b('INCRBYFLOAT'), b(field), b(randomNumber(r))];
      if (r.chance(0.05)) {
        // restart a chain so values stay in a range where increments matter
        await oracle().call([b('DEL'), b('h'), b(field)]);
        await engine([b('DEL'), b('h'), b(field)]);
      }
      const [want, got] = [await oracle().call(argv), await engine(argv)];
      if (encodeResp2(want) !== encodeResp2(got)) {
        const cmd = argv.map(String).join(' ');
        throw new Error(`step ${i}: ${cmd}\n  redis-server: ${showResp2(want)}\n  engine:       ${showResp2(got)}`);
      }
    }
  });
});
