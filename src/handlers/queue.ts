/**
 * Messages to the ingest queue from the functions that feed it besides EventBridge (backfill pages, reconcile
 * repairs): SQS SendMessageBatch, ten at a time, the entries SQS reports failed sent again with backoff.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';

let sqsClient: SQSClient | undefined;

export async function sendMessages(queueUrl: string, bodies: readonly string[]): Promise<void> {
  const { SQSClient, SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
  sqsClient ??= new SQSClient({});
  const sqs = sqsClient;
  for (let i = 0; i < bodies.length; i += 10) {
    let entries = bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      if (failed.size > 0 && attempt >= 4) {
        const f = out.Failed![0]!;
        throw new Error(`SQS refused ${failed.size} messages: ${f.Code} ${f.Message ?? ''}`);
      }
      entries = entries.filter((e) => failed.has(e.Id));
      if (entries.length > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

/** The ingest queue's URL (S3_INDEX_INGEST_QUEUE_URL); throws when it is not set. */
export function ingestQueueUrl(): string {
  const url = process.env.S3_INDEX_INGEST_QUEUE_URL;
  if (url === undefined || url === '') throw new Error('S3_INDEX_INGEST_QUEUE_URL is not set');
  return url;
}
