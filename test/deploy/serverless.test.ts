/**
 * The deployment as CloudFormation: `serverless package` (Framework v3, offline: fake credentials, telemetry off)
 * compiles serverless.yml once, and the template is checked for what decides correctness on AWS and that
 * `serverless package` does not check itself (the queue policy, the single writer, least privilege).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped JSON, read by tests only
type Json = Record<string, any>;

const root = resolve(__dirname, '../..');
const serverlessBin = join(root, 'node_modules/serverless/bin/serverless.js');
const missing = existsSync(serverlessBin) ? undefined : 'node_modules/serverless is not installed';
if (missing !== undefined && process.env.CI === 'true') throw new Error(`deploy tests are mandatory in CI: ${missing}`);
if (missing !== undefined) console.warn(`skipping test/deploy: ${missing}`);
const describeDeploy = missing === undefined ? describe : describe.skip;

// Measured 2026-12-06 (session 18): api/apiStream 2.08 MB, reconcile 2.02 MB, ingest 1.96 MB, compact 1.94 MB,
// backfill 1.62 MB. ioredis (S3_INDEX_REDIS_URL) and the SSM client (S3_INDEX_REDIS_URL_PARAM) are in every function
// that opens the runtime; the lists and sets of issue 24 are in the engine. The margin catches a dependency that stops
// being tree-shaken or a second copy of the SDK.
const zipLimits: Record<string, { bytes: number; handlerFile: string }> = {
  ingest: { bytes: 2_200_000, handlerFile: 'src/handlers/ingest.js' },
  api: { bytes: 2_350_000, handlerFile: 'src/handlers/http.js' },
  apiStream: { bytes: 2_350_000, handlerFile: 'src/handlers/http.js' },
  compact: { bytes: 2_200_000, handlerFile: 'src/handlers/compact.js' },
  backfill: { bytes: 1_800_000, handlerFile: 'src/handlers/backfill.js' },
  reconcile: { bytes: 2_250_000, handlerFile: 'src/handlers/reconcile.js' },
};

/** What lets the framework run offline: fake credentials, telemetry and notifications off. */
const offlineEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'fake',
  AWS_SECRET_ACCESS_KEY: 'fake',
  AWS_REGION: 'us-east-1',
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  SLS_DEPRECATION_DISABLE: '*',
};

/** `serverless invoke local -f ingest --path FILE` on a memory-only store; its stdout. */
function invokeLocal(file: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [serverlessBin, 'invoke', 'local', '-f', 'ingest', '--path', file, '--stage', 'test', '--param', 'store=memory:'],
      { cwd: root, env: { ...offlineEnv, POWERTOOLS_LOG_LEVEL: 'ERROR' }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err ? fail(new Error(`invoke local failed: ${err.message}\n${stdout}\n${stderr}`)) : done(stdout),
    );
  });
}

let packageDir = '';
let template: Json = {};
let resources: Record<string, Json> = {};

function ofType(type: string): [string, Json][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

function only(type: string): Json {
  const found = ofType(type);
  expect(found).toHaveLength(1);
  return found[0][1].Properties;
}

function fn(logicalId: string): Json {
  return resources[logicalId].Properties;
}

/** Every policy document in the template: roles' inline policies, managed policies, queue and bucket policies. */
function policyStatements(): { owner: string; statement: Json }[] {
  const out: { owner: string; statement: Json }[] = [];
  for (const [id, r] of Object.entries(resources)) {
    const docs: Json[] = [];
    if (r.Properties?.PolicyDocument) docs.push(r.Properties.PolicyDocument);
    for (const p of r.Properties?.Policies ?? []) docs.push(p.PolicyDocument);
    // A role's AssumeRolePolicyDocument is its trust policy (who may assume it), not permissions: not read.
    for (const doc of docs) for (const statement of doc.Statement) out.push({ owner: id, statement });
  }
  return out;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

beforeAll(async () => {
  if (missing !== undefined) return;
  packageDir = mkdtempSync(join(tmpdir(), 's3-index-sls-'));
  await new Promise<void>((done, fail) => {
    execFile(
      process.execPath,
      [serverlessBin, 'package', '--stage', 'test', '--package', packageDir],
      {
        cwd: root,
        env: offlineEnv,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) =>
        err ? fail(new Error(`serverless package failed: ${err.message}\n${stdout}\n${stderr}`)) : done(),
    );
  });
  template = JSON.parse(readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = template.Resources;
}, 180_000);

afterAll(() => {
  if (packageDir) rmSync(packageDir, { recursive: true, force: true });
});

describeDeploy('serverless.yml compiled', () => {
  test('the EventBridge rule matches the S3 events the index uses, of the indexed buckets', () => {
    const rule = fn('S3EventsRule');
    expect(rule.EventPattern.source).toEqual(['aws.s3']);
    expect([...rule.EventPattern['detail-type']].sort()).toEqual(
      [
        'Object ACL Updated',
        'Object Access Tier Changed',
        'Object Created',
        'Object Deleted',
        'Object Restore Completed',
        'Object Restore Expired',
        'Object Restore Initiated',
        'Object Storage Class Changed',
        'Object Tags Added',
        'Object Tags Deleted',
      ].sort(),
    );
    expect(rule.EventPattern.detail.bucket.name).toEqual({ 'Fn::Split': [',', 's3-index-test-demo-source'] });
    expect(rule.Targets).toEqual([{ Id: 'IngestQueue', Arn: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] } }]);
  });

  test('the archive keeps exactly what the ingest rule matches, on the default bus, for the retention param', () => {
    const archive = only('AWS::Events::Archive');
    // one pattern for both (a YAML anchor): what is replayed is what the rule would have sent
    expect(archive.EventPattern).toEqual(fn('S3EventsRule').EventPattern);
    expect(archive.EventPattern.source).toEqual(['aws.s3']);
    expect(archive.EventPattern.detail.bucket.name).toEqual({ 'Fn::Split': [',', 's3-index-test-demo-source'] });
    expect(archive.SourceArn).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
      'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default',
    });
    // the rule is on the default bus too (no EventBusName): replays go back to the bus the archive reads
    expect(fn('S3EventsRule').EventBusName).toBeUndefined();
    expect(archive.RetentionDays).toBe(30);
    // what `s3-index replay` needs: the archive (EventSourceArn) and the rule (FilterArns)
    expect(template.Outputs.EventsArchiveArn.Value).toEqual({ 'Fn::GetAtt': ['S3EventsArchive', 'Arn'] });
    expect(template.Outputs.IngestRuleArn.Value).toEqual({ 'Fn::GetAtt': ['S3EventsRule', 'Arn'] });
  });

  test('queue, DLQ and redrive: throttled receives cannot push a message to the DLQ unprocessed', () => {
    const queue = fn('IngestQueue');
    const dlq = fn('IngestDeadLetterQueue');
    expect(queue.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': ['IngestDeadLetterQueue', 'Arn'] });
    expect(queue.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(dlq.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn('IngestLambdaFunction').Timeout);
  });

  test('the queue policy lets the rule, and only the rule, send', () => {
    const policy = only('AWS::SQS::QueuePolicy');
    expect(policy.Queues).toEqual([{ Ref: 'IngestQueue' }]);
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'EventBridgeRuleSends',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['S3EventsRule', 'Arn'] } } },
      },
    ]);
  });

  test('ingest: one writer, large batches, partial batch failures', () => {
    const esm = only('AWS::Lambda::EventSourceMapping');
    expect(esm.FunctionName).toEqual({ 'Fn::GetAtt': ['IngestLambdaFunction', 'Arn'] });
    expect(esm.EventSourceArn).toEqual({ 'Fn::GetAtt': ['IngestQueue', 'Arn'] });
    expect(esm.BatchSize).toBeGreaterThanOrEqual(1000);
    expect(esm.MaximumBatchingWindowInSeconds).toBeGreaterThanOrEqual(10);
    expect(esm.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(esm.ScalingConfig).toEqual({ MaximumConcurrency: 2 });
    expect(fn('IngestLambdaFunction').ReservedConcurrentExecutions).toBe(1);
    expect(fn('IngestLambdaFunction').Handler).toBe('src/handlers/ingest.handler');
  });

  test('api: the HTTP API routes the whole app; apiStream: a streaming Function URL', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual(
      [
        'ANY /redis',
        'ANY /redis/{proxy+}',
        'ANY /s3/{proxy+}',
        'ANY /v1/{proxy+}',
        'GET /healthz',
        'GET /metrics',
        'GET /ui',
        'GET /ui/{proxy+}',
      ].sort(),
    );
    expect(only('AWS::ApiGatewayV2::Integration').PayloadFormatVersion).toBe('2.0');
    expect(fn('ApiLambdaFunction').Handler).toBe('src/handlers/http.handler');
    const url = only('AWS::Lambda::Url');
    expect(url.InvokeMode).toBe('RESPONSE_STREAM');
    expect(url.TargetFunctionArn).toEqual({ 'Fn::GetAtt': ['ApiStreamLambdaFunction', 'Arn'] });
    expect(fn('ApiStreamLambdaFunction').Handler).toBe('src/handlers/http.streamingHandler');
  });

  test('compact runs on its schedule', () => {
    const rules = ofType('AWS::Events::Rule').filter(([id]) => id.startsWith('Compact'));
    expect(rules).toHaveLength(1);
    expect(rules[0][1].Properties.ScheduleExpression).toBe('rate(1 hour)');
    expect(rules[0][1].Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': ['CompactLambdaFunction', 'Arn'] });
  });

  test('reconcile runs daily over the indexed buckets, repairs through the ingest queue, and alarms on drift', () => {
    const rules = ofType('AWS::Events::Rule').filter(([id]) => id.startsWith('Reconcile'));
    expect(rules).toHaveLength(1);
    expect(rules[0][1].Properties.ScheduleExpression).toBe('rate(1 day)');
    expect(rules[0][1].Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': ['ReconcileLambdaFunction', 'Arn'] });
    const r = fn('ReconcileLambdaFunction');
    expect(r.Handler).toBe('src/handlers/reconcile.handler');
    expect(r.Timeout).toBe(900);
    expect(r.Environment.Variables).toMatchObject({
      S3_INDEX_INGEST_QUEUE_URL: { Ref: 'IngestQueue' },
      S3_INDEX_RECONCILE_BUCKETS: 's3-index-test-demo-source',
      S3_INDEX_RECONCILE_REPAIR: 'true',
    });
    const alarm = fn('ReconcileDriftAlarm');
    expect(alarm).toMatchObject({
      Namespace: 'S3Index',
      MetricName: 'ReconcileDrift',
      Dimensions: [{ Name: 'service', Value: 's3-index' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('alarms: DLQ depth, ingest age, ingest and api errors', () => {
    const alarms = Object.fromEntries(ofType('AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties]));
    expect(alarms.DeadLetterQueueAlarm).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['IngestDeadLetterQueue', 'QueueName'] } }],
    });
    expect(alarms.IngestAgeAlarm).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['IngestQueue', 'QueueName'] } }],
    });
    for (const [alarm, fnId] of [
      ['IngestErrorsAlarm', 'IngestLambdaFunction'],
      ['ApiErrorsAlarm', 'ApiLambdaFunction'],
    ]) {
      expect(alarms[alarm]).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      });
    }
  });

  test('every function: nodejs22.x on arm64, the store and the young-generation flag in its environment (no source maps: 0.1 s per cold start)', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(
      [
        'ApiLambdaFunction',
        'ApiStreamLambdaFunction',
        'BackfillLambdaFunction',
        'CompactLambdaFunction',
        'IngestLambdaFunction',
        'ReconcileLambdaFunction',
      ].sort(),
    );
    for (const [, f] of functions) {
      expect(f.Properties.Runtime).toBe('nodejs22.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      const env = f.Properties.Environment.Variables;
      expect(env.NODE_OPTIONS).toBe('--max-semi-space-size=64');
      expect(env.S3_INDEX_STORE).toEqual({
        'Fn::Sub': [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
          's3://${Bucket}/index',
          { Bucket: { 'Fn::If': ['CreateSnapshotBucket', { Ref: 'SnapshotBucket' }, ''] } },
        ],
      });
      expect(env.S3_INDEX_API_TOKENS_PARAM).toBe('/s3-index/test/api-tokens');
      // the bundled engine by default (redisUrlParam, redisCluster)
      expect([env.S3_INDEX_REDIS_URL_PARAM, env.S3_INDEX_REDIS_CLUSTER]).toEqual(['', 'false']);
      expect(env.POWERTOOLS_SERVICE_NAME).toBe('s3-index');
    }
    expect(fn('ApiLambdaFunction').Environment.Variables.S3_INDEX_REFRESH_MS).toBe('1000');
    // the backfill function sends its pages to the ingest queue, and may run 15 minutes per leg
    expect(fn('BackfillLambdaFunction').Environment.Variables.S3_INDEX_INGEST_QUEUE_URL).toEqual({
      Ref: 'IngestQueue',
    });
    expect(fn('BackfillLambdaFunction').Timeout).toBe(900);
  });

  test('the snapshot bucket is encrypted and private', () => {
    const bucket = fn('SnapshotBucket');
    expect(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBe('AES256');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(fn('DemoSourceBucket').NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
  });

  test('IAM: every statement of every policy, and no * action or resource anywhere', () => {
    const statements = policyStatements();
    for (const { owner, statement } of statements) {
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      if (statement.Effect === 'Deny') {
        // The framework's deployment bucket policy: a wildcard Deny of plain-HTTP access takes nothing away from
        // least privilege; it is the only Deny expected.
        expect(owner).toBe('ServerlessDeploymentBucketPolicy');
        expect(statement.Condition).toEqual({ Bool: { 'aws:SecureTransport': false } });
        continue;
      }
      for (const action of strings(statement.Action)) expect(`${owner}: ${action}`).not.toContain('*');
      for (const resource of strings(statement.Resource)) {
        // A bare '*', or a whole service/account ('arn:aws:s3:::*', '...:parameter*'); the log-group ARNs end in
        // ':*' (the streams of this service's log groups), which is as narrow as a log stream can be named.
        expect(`${owner}: ${resource}`).not.toMatch(/: \*$|:::\*|:parameter\*|:log-group:\*/);
      }
    }
    expect(statements.filter((s) => s.owner !== 'IamRoleLambdaExecution').map((s) => s.owner)).toEqual([
      'ServerlessDeploymentBucketPolicy',
      'ApiTokensKmsPolicy',
      'InventoryReadPolicy',
      'RedisUrlReadPolicy',
      'IngestQueuePolicy',
    ]);
    // Only with an external Redis given (redisUrlParam): its URL's parameter, read only.
    expect(resources.RedisUrlReadPolicy.Condition).toBe('HasRedisUrlParam');
    expect(fn('RedisUrlReadPolicy').PolicyDocument.Statement).toEqual([
      {
        Sid: 'RedisUrlRead',
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter' },
      },
    ]);
    // no VPC by default (vpcSubnetIds, vpcSecurityGroupIds): no ENI-management policy on the role either
    expect(resources.IamRoleLambdaExecution.Properties.ManagedPolicyArns).toBeUndefined();
    for (const [name, r] of Object.entries(resources))
      if ((r as { Type: string }).Type === 'AWS::Lambda::Function')
        expect([name, (r as { Properties: { VpcConfig?: unknown } }).Properties.VpcConfig]).toEqual([name, undefined]);
    // Only with an inventory bucket given (inventoryBucket): read-only, its objects only.
    expect(resources.InventoryReadPolicy.Condition).toBe('HasInventoryBucket');
    expect(fn('InventoryReadPolicy').PolicyDocument.Statement).toEqual([
      {
        Sid: 'InventoryReportsRead',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::/*' },
      },
    ]);
    // Only with a customer-managed key given (apiTokensKmsKeyArn), and only through SSM.
    expect(resources.ApiTokensKmsPolicy.Condition).toBe('HasApiTokensKmsKey');
    expect(fn('ApiTokensKmsPolicy').Roles).toEqual([{ Ref: 'IamRoleLambdaExecution' }]);
    expect(fn('ApiTokensKmsPolicy').PolicyDocument.Statement).toEqual([
      {
        Sid: 'ApiTokensDecrypt',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: '',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } } },
      },
    ]);
    const role = statements.filter((s) => s.owner === 'IamRoleLambdaExecution').map((s) => s.statement);
    const bucket = { 'Fn::If': ['CreateSnapshotBucket', { Ref: 'SnapshotBucket' }, ''] };
    expect(role).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource'],
        Resource: [
          {
            'Fn::Sub':
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
              'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/s3-index-test*:*',
          },
        ],
      },
      {
        Effect: 'Allow',
        Action: ['logs:PutLogEvents'],
        Resource: [
          {
            'Fn::Sub':
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
              'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/s3-index-test*:*:*',
          },
        ],
      },
      {
        Sid: 'SnapshotReadWrite',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        Resource: { 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${Bucket}/index/*', { Bucket: bucket }] },
      },
      {
        Sid: 'SnapshotList',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        Resource: { 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${Bucket}', { Bucket: bucket }] },
        Condition: { StringLike: { 's3:prefix': ['index/*', 'index'] } },
      },
      {
        Sid: 'IndexedBucketsRead',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: {
          'Fn::Split': [
            ',',
            {
              'Fn::Join': [
                '',
                [
                  'arn:aws:s3:::',
                  { 'Fn::Join': ['/*,arn:aws:s3:::', { 'Fn::Split': [',', 's3-index-test-demo-source'] }] },
                  '/*',
                ],
              ],
            },
          ],
        },
      },
      {
        Sid: 'IndexedBucketsList',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: {
          'Fn::Split': [
            ',',
            {
              'Fn::Join': [
                '',
                [
                  'arn:aws:s3:::',
                  { 'Fn::Join': [',arn:aws:s3:::', { 'Fn::Split': [',', 's3-index-test-demo-source'] }] },
                ],
              ],
            },
          ],
        },
      },
      {
        Sid: 'IngestQueueSend',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] },
      },
      {
        Sid: 'BackfillInvokesNextLeg',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
          'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:s3-index-test-backfill',
        },
      },
      {
        Sid: 'ApiTokensRead',
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
          'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/s3-index/test/api-tokens',
        },
      },
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: [{ 'Fn::GetAtt': ['IngestQueue', 'Arn'] }],
      },
    ]);
  });

  test('one zip per function, each holding its handler, below its measured size plus margin', () => {
    for (const [name, { bytes, handlerFile }] of Object.entries(zipLimits)) {
      const zip = join(packageDir, `${name}.zip`);
      expect(existsSync(zip)).toBe(true);
      expect(statSync(zip).size).toBeLessThan(bytes);
      // Zip entry names are stored uncompressed in the local headers and the central directory.
      expect(readFileSync(zip).includes(Buffer.from(handlerFile))).toBe(true);
    }
  });

  test('`serverless invoke local -f ingest` runs a sample event, direct and SQS-wrapped (--param store=memory:)', async () => {
    const [direct, wrapped] = await Promise.all([
      invokeLocal('events/eventbridge-object-created.json'),
      invokeLocal('events/sqs/eventbridge-object-deleted.json'),
    ]);
    // the direct event's outcome counts, then the SQS batch's partial-failure response
    expect(direct).toMatch(/"applied": 1,\s*"stale": 0,\s*"duplicate": 0,\s*"ignored": 0,\s*"rejected": 0/);
    expect(wrapped).toMatch(/"batchItemFailures": \[\]/);
  }, 120_000);
});
