/** The Lambda handler: an API Gateway HTTP API (payload v2) event through the same app. */
import type { LambdaContext } from 'hono/aws-lambda';
import { handler } from '../../src/handlers/http';

type APIGatewayProxyEventV2 = Extract<Parameters<typeof handler>[0], { rawPath: string }>;

function event(
  method: string,
  rawPath: string,
  body?: string,
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'abc.execute-api.us-east-1.amazonaws.com', ...headers },
    body: body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc',
      domainName: 'abc.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'jest' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2024:00:00:00 +0000',
      timeEpoch: 1704067200000,
    },
  } as unknown as APIGatewayProxyEventV2;
}

const context = {} as LambdaContext;

describe('Lambda HTTP handler', () => {
  it('answers /healthz', async () => {
    const res = await handler(event('GET', '/healthz'), context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });

  it('runs /redis commands against its module-scope engine', async () => {
    let res = await handler(
      event('POST', '/redis', '["HSET","h","a","1"]', { 'content-type': 'application/json' }),
      context,
    );
    expect(JSON.parse(res.body)).toEqual({ result: 1 });
    res = await handler(event('POST', '/redis', '["HGET","h","a"]'), context);
    expect(JSON.parse(res.body)).toEqual({ result: '1' });
    res = await handler(event('POST', '/redis', '["HGET"]'), context);
    expect(res.statusCode).toBe(400);
  });
});
