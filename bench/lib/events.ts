/** The S3 events the benchmarks ingest. */

export interface CreatedObject {
  /** the event's id */
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  /** the event's time, ms since the epoch (written to the second, as EventBridge does) */
  readonly time: number;
  readonly sequencer: string;
  /** the storage class, when the event names one */
  readonly storage?: string;
}

/** The EventBridge "Object Created" event of a PutObject (fields in the order EventBridge sends them). */
export function objectCreatedEvent(o: CreatedObject): unknown {
  return {
    version: '0',
    id: o.id,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: new Date(o.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${o.bucket}`],
    detail: {
      version: '0',
      bucket: { name: o.bucket },
      object: { key: o.key, size: o.size, etag: o.etag, sequencer: o.sequencer },
      'request-id': 'R',
      requester: '123456789012',
      reason: 'PutObject',
      ...(o.storage === undefined ? {} : { storage: o.storage }),
    },
  };
}
