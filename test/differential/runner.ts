/**
 * Runs seeded command sequences on two sides — the oracle (real redis-server) and the subject (our engine, or
 * later our RESP server) — and reports the first reply that differs, with a shrunk reproducer.
 *
 * Reproduce a failure with `DIFF_SEED=<seed> npx jest test/differential/<group>`; add DIFF_COUNT=<n> to change
 * the sequence length, DIFF_SEQUENCES=<k> to run k consecutive seeds from DIFF_SEED.
 */
import { type Resp2, showArgv, showResp2, type Target } from '../helpers/oracle';
import { Rng } from './random';
import { runStep, type Step, sameReply } from './step';
import { type GroupGenerator, nextStep } from './vocab';

export interface Side {
  readonly name: string;
  readonly target: Target;
  /** empties every database (FLUSHALL) */
  reset(): Promise<void>;
}

export interface Mismatch {
  readonly group: string;
  readonly seed: number;
  /** index of the failing step in the full sequence */
  readonly index: number;
  readonly step: Step;
  readonly oracle: Resp2;
  readonly subject: Resp2;
  /** the steps needed to reproduce it (shrunk), the failing one last */
  readonly reproducer: Step[];
}

export function generateSequence(group: GroupGenerator, seed: number, count: number): Step[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => nextStep(group, rng));
}

/** Replays steps from an empty database; returns the index and replies of the first difference. */
async function replay(
  steps: readonly Step[],
  oracle: Side,
  subject: Side,
): Promise<{ index: number; oracle: Resp2; subject: Resp2 } | undefined> {
  await oracle.reset();
  await subject.reset();
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const a = await runStep(oracle.target, s);
    const b = await runStep(subject.target, s);
    if (!sameReply(s, a, b)) return { index: i, oracle: a, subject: b };
  }
  return undefined;
}

/** Greedy delta-debugging: drop chunks of earlier steps while the last step still fails. */
async function shrink(steps: Step[], oracle: Side, subject: Side, budgetMs = 5000): Promise<Step[]> {
  const deadline = Date.now() + budgetMs;
  let current = steps;
  const failsLast = async (candidate: Step[]): Promise<boolean> => {
    const d = await replay(candidate, oracle, subject);
    return d !== undefined && d.index === candidate.length - 1;
  };
  for (let chunk = Math.max(1, Math.floor(current.length / 2)); chunk >= 1; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start < current.length - 1 && Date.now() < deadline; ) {
      const end = Math.min(start + chunk, current.length - 1);
      const candidate = [...current.slice(0, start), ...current.slice(end)];
      if (await failsLast(candidate)) current = candidate;
      else start = end;
    }
    if (chunk === 1 || Date.now() >= deadline) break;
  }
  return current;
}

export async function runSequence(
  group: GroupGenerator,
  seed: number,
  count: number,
  oracle: Side,
  subject: Side,
): Promise<Mismatch | undefined> {
  const steps = generateSequence(group, seed, count);
  const d = await replay(steps, oracle, subject);
  if (!d) return undefined;
  const upTo = steps.slice(0, d.index + 1);
  const reproducer = await shrink(upTo, oracle, subject);
  // the shrunk sequence's own replies (they may read better than the original ones)
  const again = await replay(reproducer, oracle, subject);
  const last = again && again.index === reproducer.length - 1 ? again : d;
  return {
    group: group.name,
    seed,
    index: d.index,
    step: steps[d.index]!,
    oracle: last.oracle,
    subject: last.subject,
    reproducer,
  };
}

export function formatMismatch(m: Mismatch, subjectName = 'engine'): string {
  const lines = [
    `differential mismatch in group '${m.group}', seed ${m.seed}, step ${m.index}: ${showArgv(m.step.argv)}`,
    `  compare: ${JSON.stringify(m.step.compare, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
    `  redis-server: ${showResp2(m.oracle)}`,
    `  ${subjectName}: ${showResp2(m.subject)}`,
    `reproducer (${m.reproducer.length} commands from an empty database; the last one differs):`,
    ...m.reproducer.map((s) => `  ${showArgv(s.argv)}`),
    `rerun: DIFF_SEED=${m.seed} npx jest test/differential/${m.group}`,
  ];
  return lines.join('\n');
}

export const FIXED_SEEDS = Array.from({ length: 30 }, (_, i) => 1000 + i * 7919);

/** The seeds to run: the fixed list, or DIFF_SEED [.. + DIFF_SEQUENCES). */
export function seedsFromEnv(): number[] {
  const seed = process.env.DIFF_SEED;
  if (seed === undefined || seed === '') return FIXED_SEEDS;
  const n = Number(process.env.DIFF_SEQUENCES ?? '1');
  return Array.from({ length: n }, (_, i) => Number(seed) + i);
}

export function countFromEnv(fallback = 300): number {
  const c = process.env.DIFF_COUNT;
  return c ? Number(c) : fallback;
}
