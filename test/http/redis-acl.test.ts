/**
 * Token levels on /redis, over the whole command table: every command and subcommand is allowed or refused for
 * each level exactly as its pinned level says (test/helpers/acl-levels.ts; a command missing there fails), and
 * the commands that need a RESP connection are refused for every level.
 */
import { type AccessLevel, levelAllows } from '../../src/engine/acl';
import type { ApiToken } from '../../src/http/auth';
import { EXPECTED_LEVELS, invocations } from '../helpers/acl-levels';
import { appHarness, bearer } from './harness';

const TOKENS: Record<AccessLevel, string> = {
  ro: 'ro-token-0123456789abcdef',
  rw: 'rw-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
};
const API_TOKENS: ApiToken[] = (Object.keys(TOKENS) as AccessLevel[]).map((kind) => ({ kind, token: TOKENS[kind] }));

/** The commands /redis refuses whatever the token: they need a connection (transactions, subscriptions, MONITOR). */
const NEEDS_CONNECTION = new Set([
  'auth',
  'hello',
  'quit',
  'reset',
  'multi',
  'exec',
  'discard',
  'watch',
  'unwatch',
  'subscribe',
  'unsubscribe',
  'psubscribe',
  'punsubscribe',
  'ssubscribe',
  'sunsubscribe',
  // blocking commands wait on a connection: REST refuses them rather than answering as if they timed out
  'blpop',
  'brpop',
  'blmove',
  'brpoplpush',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'monitor',
  'save',
]);

describe.each(['ro', 'rw', 'admin'] as AccessLevel[])('/redis with a %s token', (level) => {
  it('allows and refuses every command of the table as its category says', async () => {
    const h = appHarness({ tokens: API_TOKENS });
    const problems: string[] = [];
    for (const { name, argv } of invocations(h.engine)) {
      const needed = EXPECTED_LEVELS[name];
      if (needed === undefined) {
        problems.push(`${name}: no pinned level`);
        continue;
      }
      const res = await h.post(
        '/redis',
        argv.map((a) => a.toString()),
        bearer(TOKENS[level]),
      );
      const body = (await res.json()) as { result?: unknown; error?: string };
      const what = `${name} → ${res.status} ${JSON.stringify(body)}`;
      if (NEEDS_CONNECTION.has(name.split('|')[0]!)) {
        if (res.status !== 400 || !body.error?.includes('is not available over the REST API')) problems.push(what);
      } else if (!levelAllows(level, needed)) {
        const expected = `NOPERM this token has no permissions to run the '${name}' command`;
        if (res.status !== 403 || body.error !== expected) problems.push(what);
      } else if (res.status === 403 || body.error?.startsWith('NOPERM')) {
        problems.push(what);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('/redis administration needs an admin token', () => {
  it('a read-only or read-write token cannot reconfigure, reset or see other clients; an admin token can', async () => {
    const { post, engine } = appHarness({ tokens: API_TOKENS });
    const attempts = [
      ['CONFIG', 'SET', 'requirepass', 'x'],
      ['CONFIG', 'SET', 'maxclients', '1'],
      ['CONFIG', 'RESETSTAT'],
      ['CONFIG', 'GET', 'requirepass'],
      ['CLIENT', 'LIST'],
      ['CLIENT', 'KILL', 'ID', '1'],
      ['FLUSHALL'],
      ['FLUSHDB'],
      ['SWAPDB', '0', '1'],
      ['KEYS', '*'],
      ['INFO'],
    ];
    await post('/redis', ['SET', 'kept', 'v'], bearer(TOKENS.rw));
    for (const level of ['ro', 'rw'] as const) {
      for (const cmd of attempts) {
        const res = await post('/redis', cmd, bearer(TOKENS[level]));
        expect([cmd.join(' '), res.status]).toEqual([cmd.join(' '), 403]);
      }
    }
    expect(await (await post('/redis', ['GET', 'kept'], bearer(TOKENS.ro))).json()).toEqual({ result: 'v' });
    const state = engine.exec('config', 'get', 'maxclients');
    expect(state).toEqual({ t: 'map', v: expect.any(Array) });
    // admin: allowed
    expect(await (await post('/redis', ['CONFIG', 'SET', 'maxclients', '500'], bearer(TOKENS.admin))).json()).toEqual({
      result: 'OK',
    });
    expect(await (await post('/redis', ['CONFIG', 'GET', 'maxclients'], bearer(TOKENS.admin))).json()).toEqual({
      result: ['maxclients', '500'],
    });
    expect(await (await post('/redis', ['KEYS', '*'], bearer(TOKENS.admin))).json()).toEqual({ result: ['kept'] });
    expect(await (await post('/redis', ['FLUSHALL'], bearer(TOKENS.admin))).json()).toEqual({ result: 'OK' });
    expect(await (await post('/redis', ['GET', 'kept'], bearer(TOKENS.ro))).json()).toEqual({ result: null });
  });

  it('applies the levels inside pipelines and transactions too', async () => {
    const { post } = appHarness({ tokens: API_TOKENS });
    let res = await post(
      '/redis/pipeline',
      [
        ['SET', 'a', '1'],
        ['CONFIG', 'SET', 'maxclients', '1'],
        ['GET', 'a'],
      ],
      bearer(TOKENS.rw),
    );
    expect(await res.json()).toEqual([
      { result: 'OK' },
      { error: "NOPERM this token has no permissions to run the 'config|set' command" },
      { result: '1' },
    ]);
    res = await post('/redis/multi-exec', [['SET', 'a', '2'], ['FLUSHALL']], bearer(TOKENS.rw));
    expect(res.status).toBe(400);
    expect(await (await post('/redis', ['GET', 'a'], bearer(TOKENS.ro))).json()).toEqual({ result: '1' });
  });

  it('PUBLISH needs a read-write token and is not refused as a connection command', async () => {
    const { post } = appHarness({ tokens: API_TOKENS });
    expect((await post('/redis', ['PUBLISH', 'ch', 'm'], bearer(TOKENS.ro))).status).toBe(403);
    expect(await (await post('/redis', ['PUBLISH', 'ch', 'm'], bearer(TOKENS.rw))).json()).toEqual({ result: 0 });
  });

  it('without tokens (loopback only) the API is open to everything, like Redis without a password', async () => {
    const { post } = appHarness();
    expect(await (await post('/redis', ['CONFIG', 'SET', 'maxclients', '77'])).json()).toEqual({ result: 'OK' });
  });
});
