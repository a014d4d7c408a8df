/** Start-up validation of the command table: a malformed spec is a bug and stops the process early. */
import type { CommandSpec } from '../command';

export function validateTable(specs: readonly CommandSpec[]): void {
  const seen = new Set<string>();
  for (const s of specs) {
    const where = `command '${s.name}'`;
    if (!/^[a-z][a-z0-9.|_-]*$/.test(s.name)) throw new Error(`${where}: name must be lower case`);
    if (seen.has(s.name)) throw new Error(`${where}: registered twice`);
    seen.add(s.name);
    if (!Number.isInteger(s.arity) || s.arity === 0) throw new Error(`${where}: arity must be a non-zero integer`);
    const { first, last, step } = s.keys;
    if (first < 0 || (first === 0 && (last !== 0 || step !== 0))) throw new Error(`${where}: bad key spec`);
    if (first > 0 && step <= 0) throw new Error(`${where}: key step must be positive`);
    if (first > 0 && last > 0 && last < first) throw new Error(`${where}: last key before first`);
    if (s.arity > 0 && first >= s.arity) throw new Error(`${where}: first key beyond arity`);
    if (!s.summary || !s.complexity || !s.since)
      throw new Error(`${where}: summary, complexity and since are required`);
    const isWrite = s.flags.includes('write');
    const isRead = s.flags.includes('readonly');
    if (isWrite && isRead) throw new Error(`${where}: both write and readonly`);
    if (typeof s.run !== 'function') throw new Error(`${where}: run is missing`);
  }
}
