/** /redis, /redis/pipeline, /redis/multi-exec in process: the Upstash REST dialect, errors, limits, tokens. */
import { ManualClock } from '../../src/engine/clock';
import { type CommandSpec, NO_KEYS } from '../../src/engine/command';
import { Engine } from '../../src/engine/engine';
import { OK } from '../../src/engine/reply';
import { createApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import { appHarness, bearer, RO_TOKEN, RW_TOKEN, TEST_TOKENS } from './harness';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('POST /redis (one command)', () => {
  it('runs a command and answers {"result"}', async () => {
    const { post } = appHarness();
    const res = await post('/redis', ['PING']);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ result: 'PONG' });
  });

  it('accepts unquoted numbers and renders maps flat, the RESP2 way', async () => {
    const { post } = appHarness();
    expect(await (await post('/redis', ['HSET', 'h', 'a', 1, 'b', 2.5])).json()).toEqual({ result: 2 });
    expect(await (await post('/redis', ['HGETALL', 'h'])).json()).toEqual({ result: ['a', '1', 'b', '2.5'] });
    expect(await (await post('/redis', ['HGET', 'h', 'missing'])).json()).toEqual({ result: null });
  });

  it('with Upstash-Encoding: base64 encodes every string except a top-level OK', async () => {
    const { post } = appHarness();
    const enc = { 'Upstash-Encoding': 'base64' };
    expect(await (await post('/redis', ['HMSET', 'h', 'k', 'v'], enc)).json()).toEqual({ result: 'OK' });
    expect(await (await post('/redis', ['ECHO', 'héllo ✓'], enc)).json()).toEqual({ result: b64('héllo ✓') });
    expect(await (await post('/redis', ['PING'], enc)).json()).toEqual({ result: b64('PONG') });
    expect(await (await post('/redis', ['HSET', 'h', 'OK', 'x'], enc)).json()).toEqual({ result: 1 });
    expect(await (await post('/redis', ['HKEYS', 'h'], enc)).json()).toEqual({ result: [b64('k'), b64('OK')] });
    expect(await (await post('/redis', ['HGET', 'h', 'nope'], enc)).json()).toEqual({ result: null });
  });

  it('writes 64-bit integers exactly', async () => {
    const { post } = appHarness();
    await post('/redis', ['HINCRBY', 'h', 'n', '9223372036854775806']);
    const text = await (await post('/redis', ['HINCRBY', 'h', 'n', 1])).text();
    expect(text).toBe('{"result":9223372036854775807}');
  });

  it('answers Redis errors as 400 {"error"}', async () => {
    const { post } = appHarness();
    let res = await post('/redis', ['HGET', 'h']);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "ERR wrong number of arguments for 'hget' command" });
    res = await post('/redis', ['NOSUCH', 'a']);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "ERR unknown command 'NOSUCH', with args beginning with: 'a' " });
  });

  it.each([
    ['not JSON', '{', 'ERR'],
    ['empty body', '', 'ERR'],
    ['an object', '{"a":1}', 'ERR failed to parse command'],
    ['an empty array', '[]', 'ERR failed to parse command'],
    ['a nested object', '["SET",{"a":1}]', 'ERR failed to parse command'],
    ['a boolean', '["SET","k",true]', 'ERR failed to parse command'],
    ['a null', '["GET",null]', 'ERR failed to parse command'],
  ])('rejects %s with 400 {"error"}', async (_what, body) => {
    const { post } = appHarness();
    const res = await post('/redis', body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string };
    expect(typeof json.error).toBe('string');
    expect(Object.keys(json)).toEqual(['error']);
  });

  it('refuses bodies over the limit with 413, before reading them all', async () => {
    const { post } = appHarness({ limits: { maxBodyBytes: 64 } });
    const res = await post('/redis', ['ECHO', 'x'.repeat(100)]);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'request body exceeds 64 bytes' });
    expect((await post('/redis', ['ECHO', 'x'.repeat(10)])).status).toBe(200);
  });

  it('ignores upstash-sync-token and telemetry headers', async () => {
    const { post } = appHarness();
    const res = await post('/redis', ['PING'], {
      'upstash-sync-token': 'abc',
      'Upstash-Telemetry-Sdk': 'upstash-redis@v1',
      'Upstash-Telemetry-Runtime': 'node',
    });
    expect(await res.json()).toEqual({ result: 'PONG' });
  });
});

describe('POST /redis/pipeline', () => {
  it('runs every command in order and reports each result or error', async () => {
    const { post } = appHarness();
    const res = await post('/redis/pipeline', [
      ['HSET', 'h', 'f', 10],
      ['HINCRBY', 'h', 'f', 5],
      ['HINCRBY', 'h', 'f', 'x'],
      ['HGET', 'h', 'f'],
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { result: 1 },
      { result: 15 },
      { error: 'ERR value is not an integer or out of range' },
      { result: '15' },
    ]);
  });

  it('base64-encodes each result', async () => {
    const { post } = appHarness();
    const res = await post(
      '/redis/pipeline',
      [
        ['ECHO', 'a'],
        ['HMSET', 'h', 'a', 'b'],
      ],
      { 'Upstash-Encoding': 'base64' },
    );
    expect(await res.json()).toEqual([{ result: b64('a') }, { result: 'OK' }]);
  });

  it('rejects a malformed list and too many commands', async () => {
    const { post } = appHarness({ limits: { maxPipelineCommands: 2 } });
    expect((await post('/redis/pipeline', ['PING'])).status).toBe(400);
    expect((await post('/redis/pipeline', [])).status).toBe(400);
    const res = await post('/redis/pipeline', [['PING'], ['PING'], ['PING']]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'ERR failed to parse command: more than 2 commands in one request' });
  });
});

describe('POST /redis/multi-exec', () => {
  it('runs the batch and reports each result', async () => {
    const { post } = appHarness();
    const res = await post('/redis/multi-exec', [
      ['HSET', 'h', 'a', '1'],
      ['HINCRBY', 'h', 'a', 'nope'],
      ['HGET', 'h', 'a'],
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { result: 1 },
      { error: 'ERR value is not an integer or out of range' },
      { result: '1' },
    ]);
  });

  it('discards the whole batch when a command fails before running (unknown, wrong arity)', async () => {
    const { post } = appHarness();
    let res = await post('/redis/multi-exec', [
      ['HSET', 'h', 'a', '1'],
      ['HGET', 'h'],
    ]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /^EXECABORT Transaction discarded because of previous errors\. ERR wrong number of arguments for 'hget'/,
    );
    res = await post('/redis/multi-exec', [['HSET', 'h', 'a', '1'], ['NOPE']]);
    expect(res.status).toBe(400);
    expect(await (await post('/redis', ['HLEN', 'h'])).json()).toEqual({ result: 0 });
  });
});

describe('path form /redis/<command>/<args…>', () => {
  it('runs GET /redis/hset/h/a/1 and a POST whose body is the last argument', async () => {
    const { request } = appHarness();
    expect(await (await request('/redis/hset/h/k%2Fslash%20sp/1')).json()).toEqual({ result: 1 });
    expect(await (await request('/redis/hkeys/h')).json()).toEqual({ result: ['k/slash sp'] });
    const res = await request('/redis/echo', { method: 'POST', body: 'from the body' });
    expect(await res.json()).toEqual({ result: 'from the body' });
  });
});

describe('tokens on /redis', () => {
  it('needs a token, and a read-only token cannot write', async () => {
    const { post } = appHarness({ tokens: TEST_TOKENS });
    let res = await post('/redis', ['PING']);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'Unauthorized' });
    expect((await post('/redis', ['PING'], bearer('wrong-token-0123456789'))).status).toBe(401);

    expect(await (await post('/redis', ['HSET', 'h', 'a', '1'], bearer(RW_TOKEN))).json()).toEqual({ result: 1 });
    expect(await (await post('/redis', ['HGET', 'h', 'a'], bearer(RO_TOKEN))).json()).toEqual({ result: '1' });
    res = await post('/redis', ['HSET', 'h', 'a', '2'], bearer(RO_TOKEN));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "NOPERM this token has no permissions to run the 'hset' command" });

    res = await post(
      '/redis/pipeline',
      [
        ['HGET', 'h', 'a'],
        ['HDEL', 'h', 'a'],
      ],
      bearer(RO_TOKEN),
    );
    expect(await res.json()).toEqual([
      { result: '1' },
      { error: "NOPERM this token has no permissions to run the 'hdel' command" },
    ]);
    res = await post(
      '/redis/multi-exec',
      [
        ['HGET', 'h', 'a'],
        ['HDEL', 'h', 'a'],
      ],
      bearer(RO_TOKEN),
    );
    expect(res.status).toBe(400);
    expect(await (await post('/redis', ['HGET', 'h', 'a'], bearer(RO_TOKEN))).json()).toEqual({ result: '1' });
  });
});

describe('refusals in INFO commandstats and errorstats', () => {
  it("counts a read-only token's refused writes as rejected calls and NOPERM errors, as Redis counts ACL denials", async () => {
    const { post, engine } = appHarness({ tokens: TEST_TOKENS });
    await post('/redis', ['HSET', 'h', 'a', '1'], bearer(RO_TOKEN));
    await post(
      '/redis/pipeline',
      [
        ['HSET', 'h', 'a', '2'],
        ['HGET', 'h', 'a'],
      ],
      bearer(RO_TOKEN),
    );
    // refused at queue time: nothing ran, the refusal is counted
    await post(
      '/redis/multi-exec',
      [
        ['HGET', 'h', 'a'],
        ['HSET', 'h', 'a', '3'],
      ],
      bearer(RO_TOKEN),
    );
    await post('/redis/multi-exec', [['HGET', 'h']], bearer(RW_TOKEN));
    const hset = engine.callStats().get('hset');
    expect(hset).toMatchObject({ calls: 0, rejected: 3, failed: 0 });
    expect(engine.callStats().get('hget')).toMatchObject({ calls: 1, rejected: 1 });
    expect([...engine.commandStats.errorKinds()]).toEqual([
      ['NOPERM', 3],
      ['ERR', 1],
    ]);
    expect(engine.commandStats.errorReplies).toBe(4);
  });
});

describe('commands that need a connection', () => {
  it('are refused over REST', async () => {
    const watchLike: CommandSpec = {
      name: 'watchlike',
      arity: -2,
      flags: ['connection'],
      keys: NO_KEYS,
      group: 'transactions',
      complexity: 'O(1)',
      summary: 'test only',
      since: '0',
      run: () => OK,
    };
    const clock = new ManualClock();
    const app = createApp({ engine: new Engine({ clock, extraCommands: [watchLike] }), clock, config: httpConfig() });
    const res = await app.fetch(
      new Request('http://localhost/redis', { method: 'POST', body: JSON.stringify(['WATCHLIKE', 'k']) }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "ERR 'watchlike' is not available over the REST API" });
  });
});
