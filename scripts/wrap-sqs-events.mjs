// Writes events/sqs/<name>.json: each direct sample event in events/ (EventBridge, S3 notification) as the SQS
// event the ingest function receives in the deployment (EventBridge rule → SQS queue → Lambda), one record whose
// body is the sample. `node scripts/wrap-sqs-events.mjs` after adding a sample; test/handlers checks they agree.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** The samples that are one S3 event each (not already SQS events). */
export function directSamples(dir = 'events') {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('sqs-'))
    .sort();
}

/** A deterministic UUID-shaped message id, so that regenerating changes nothing. */
function messageId(name) {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function wrap(name, body) {
  return {
    Records: [
      {
        messageId: messageId(name),
        receiptHandle: `AQEB${createHash('sha256').update(`rh:${name}`).digest('base64').slice(0, 40)}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1714564800000',
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: '1714564800001',
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:s3-index-dev-events',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync('events/sqs', { recursive: true });
  for (const f of directSamples()) {
    // EventBridge sends the event as compact JSON
    const body = JSON.stringify(JSON.parse(readFileSync(`events/${f}`, 'utf8')));
    writeFileSync(`events/sqs/${f}`, `${JSON.stringify(wrap(f, body), null, 2)}\n`);
    console.log(`events/sqs/${f}`);
  }
}
