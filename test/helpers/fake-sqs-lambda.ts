/**
 * A local stand-in for the two AWS services the backfill function calls and that cannot run here: SQS
 * (SendMessageBatch, AWS JSON 1.0 protocol; the queue URL names this server, and the SDK sends to the queue URL's
 * host) and Lambda (Invoke, REST: POST /2015-03-31/functions/NAME/invocations). The real SDK clients talk to it over
 * HTTP. It records what arrives; `failNext` makes the next SendMessageBatch entries fail (partly, as SQS reports
 * per entry) or the next requests answer 500.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSqsLambda {
  endpoint: string;
  queueUrl: string;
  /** message bodies accepted, in order */
  messages: string[];
  /** Invoke payloads (parsed) with their invocation type */
  invocations: Array<{ functionName: string; type: string | undefined; payload: unknown }>;
  /** entries of the next SendMessageBatch calls reported Failed (per entry), this many in all */
  failEntries: number;
  /** the next SendMessageBatch calls answer 500 (whole request), this many */
  failRequests: number;
  /** SendMessageBatch requests seen */
  batches: number;
  close(): Promise<void>;
}

export async function startFakeSqsLambda(): Promise<FakeSqsLambda> {
  const fake = {
    messages: [] as string[],
    invocations: [] as FakeSqsLambda['invocations'],
    failEntries: 0,
    failRequests: 0,
    batches: 0,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
      if (invoke) {
        fake.invocations.push({
          functionName: decodeURIComponent(invoke[1]!),
          type: req.headers['x-amz-invocation-type'] as string | undefined,
          payload: JSON.parse(body),
        });
        res.statusCode = 202;
        res.end();
        return;
      }
      const target = req.headers['x-amz-target'];
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (target !== 'AmazonSQS.SendMessageBatch') {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: `not faked: ${target}` }));
        return;
      }
      fake.batches++;
      if (fake.failRequests > 0) {
        fake.failRequests--;
        res.statusCode = 500;
        res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: 'injected' }));
        return;
      }
      const req1 = JSON.parse(body) as { Entries: Array<{ Id: string; MessageBody: string }> };
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const e of req1.Entries) {
        if (fake.failEntries > 0) {
          fake.failEntries--;
          Failed.push({ Id: e.Id, SenderFault: false, Code: 'InternalError', Message: 'injected' });
          continue;
        }
        fake.messages.push(e.MessageBody);
        Successful.push({
          Id: e.Id,
          MessageId: `m-${fake.messages.length}`,
          MD5OfMessageBody: createHash('md5').update(e.MessageBody, 'utf8').digest('hex'),
        });
      }
      res.end(JSON.stringify({ Successful, Failed }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    endpoint,
    queueUrl: `${endpoint}/123456789012/s3-index-ingest`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
