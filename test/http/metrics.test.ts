/** GET /metrics: Prometheus text with requests by route pattern and status, latency histogram, engine sizes. */
import { HttpMetrics } from '../../src/http/metrics';
import { appHarness } from './harness';

describe('/metrics', () => {
  it('counts requests by route pattern, method and status, and renders a latency histogram', async () => {
    const { request, post } = appHarness();
    await post('/redis', ['HSET', 'h', 'a', '1']);
    await post('/redis', ['HGET', 'h']);
    await request('/redis/hget/h/a');
    await request('/healthz');
    await request('/no/such/route');
    const res = await request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE s3index_http_requests_total counter');
    expect(text).toContain('s3index_http_requests_total{route="/redis",method="POST",status="200"} 1');
    expect(text).toContain('s3index_http_requests_total{route="/redis",method="POST",status="400"} 1');
    expect(text).toContain('s3index_http_requests_total{route="/redis/*",method="GET",status="200"} 1');
    expect(text).toContain('s3index_http_requests_total{route="/healthz",method="GET",status="200"} 1');
    expect(text).toContain('s3index_http_requests_total{route="unmatched",method="GET",status="404"} 1');
    expect(text).toContain('# TYPE s3index_http_request_duration_seconds histogram');
    expect(text).toMatch(/s3index_http_request_duration_seconds_bucket\{route="\/redis",le="\+Inf"\} 2\n/);
    expect(text).toMatch(/s3index_http_request_duration_seconds_count\{route="\/redis"\} 2\n/);
    expect(text).toContain('s3index_engine_keys{db="0"} 1');
    expect(text).toMatch(/s3index_engine_commands_processed_total \d+/);
    // every non-comment line is `name{labels} value`
    for (const line of text.trimEnd().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(/^[a-z0-9_]+(\{[^}]*\})? [-+0-9.eInfNa]+$/);
    }
  });

  it('escapes label values and renders collector families', () => {
    const m = new HttpMetrics();
    m.observe('/a"b\\c\nd', 'GET', 200, 0.002);
    m.addCollector(() => [
      { name: 'x_total', help: 'x.', type: 'counter', samples: [{ labels: { k: 'v' }, value: 3 }] },
    ]);
    const text = m.render();
    expect(text).toContain('s3index_http_requests_total{route="/a\\"b\\\\c\\nd",method="GET",status="200"} 1');
    expect(text).toContain('s3index_http_request_duration_seconds_bucket{route="/a\\"b\\\\c\\nd",le="0.001"} 0');
    expect(text).toContain('s3index_http_request_duration_seconds_bucket{route="/a\\"b\\\\c\\nd",le="0.0025"} 1');
    expect(text).toContain('# TYPE x_total counter\nx_total{k="v"} 3\n');
  });
});
