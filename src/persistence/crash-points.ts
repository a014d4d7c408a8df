/**
 * Crash points: a test facility for the crash tests (test/e2e/crash-points.test.ts), never set in production.
 *
 * `S3_INDEX_CRASH_AT="<point>:<n>"` in the environment makes the process kill itself with SIGKILL the n-th time it
 * reaches the named point (n ≥ 1), after one line on stderr saying so, at the moments where a crash can tear the
 * store's state: between writing a blob and publishing it, between a segment and the manifest naming it, between
 * a snapshot's sections, between garbage deletes. SIGKILL, as the kernel's OOM killer or a pulled plug would: no
 * handler runs, no buffer is flushed.
 *
 * The variable is read once, when this module loads; unset (always, outside the tests), `crashPoint` is a check of
 * a constant. An unknown point name is an error at start-up, so a test cannot aim at a point that does not exist.
 */
import { writeSync } from 'node:fs';

/** Every point, by the name the variable uses. fs-store's three are per kind of blob. */
export const CRASH_POINTS = [
  // fs-store.ts, put: the temporary file half written (not synced), written and synced but not yet under its
  // name, published under its name (rename or link) but the directory not yet synced
  'fs.manifest.partial',
  'fs.manifest.synced',
  'fs.manifest.published',
  'fs.segment.partial',
  'fs.segment.synced',
  'fs.segment.published',
  'fs.snapshot.partial',
  'fs.snapshot.synced',
  'fs.snapshot.published',
  // fs-store.ts: the manifest's lock file taken, the manifest not yet compared and replaced
  'fs.manifest.locked',
  // durable.ts, commit: batches applied in memory and nothing written; the segment written and the manifest not
  // yet replaced; the manifest replaced and the caller not yet answered
  'commit.begin',
  'commit.segment-written',
  'commit.manifest-replaced',
  // durable.ts, snapshot: after each section of the snapshot blob (n: after n sections, the header included), the
  // blob stored and the manifest not yet replaced, the manifest replaced
  'snapshot.section',
  'snapshot.written',
  'snapshot.manifest-replaced',
  // durable.ts, collectGarbage: after each blob deleted
  'gc.deleted',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

interface Armed {
  point: CrashPoint;
  /** reaching the point this many more times kills the process */
  remaining: number;
}

function arm(spec: string | undefined): Armed | undefined {
  if (spec === undefined || spec === '') return undefined;
  const m = /^([a-z.-]+):([1-9][0-9]*)$/.exec(spec);
  const point = m?.[1] as CrashPoint | undefined;
  if (m === null || !CRASH_POINTS.includes(point!))
    throw new Error(`S3_INDEX_CRASH_AT=${spec}: expected <point>:<n>, point one of ${CRASH_POINTS.join(', ')}`);
  return { point: point!, remaining: Number(m[2]) };
}

// the one piece of module state: the armed point of this process (a test facility, read once)
const armed = arm(process.env.S3_INDEX_CRASH_AT);

/** Kills this process with SIGKILL if `point` is the armed one and this is the n-th time it is reached. */
export function crashPoint(point: CrashPoint): void {
  if (armed === undefined || armed.point !== point) return;
  if (--armed.remaining > 0) return;
  writeSync(2, `s3-index: crash point ${point} reached: SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
}

/**
 * fs-store's points: `fs.<kind>.<stage>` for the manifest, log segments and snapshots (by their names, see
 * manifest.ts); other blobs have none.
 */
export function blobCrashPoint(name: string, stage: 'partial' | 'synced' | 'published' | 'locked'): void {
  if (armed === undefined) return;
  const kind =
    name === 'manifest.json'
      ? 'manifest'
      : name.startsWith('log/')
        ? 'segment'
        : name.startsWith('snapshots/')
          ? 'snapshot'
          : undefined;
  if (kind !== undefined) crashPoint(`fs.${kind}.${stage}` as CrashPoint);
}

/** Whether a crash point is armed at all (a writer then takes the slower path that has the point). */
export function crashPointsArmed(): boolean {
  return armed !== undefined;
}
