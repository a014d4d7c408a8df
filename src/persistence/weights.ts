/**
 * Sorted sets whose weights are derived from their payloads (the S3 index's keys zset: each object's size) keep
 * their weight function across a snapshot by name: the snapshot stores the name, not the weights, and the loader
 * looks the function up again. The layer above the engine that owns such functions names them.
 */
import type { WeightOf } from '../engine/structures/packed-btree';

export class WeightFunctions {
  private readonly names = new Map<WeightOf, string>();
  private readonly fns = new Map<string, WeightOf>();

  constructor(named: Readonly<Record<string, WeightOf>> = {}) {
    for (const [name, fn] of Object.entries(named)) {
      this.names.set(fn, name);
      this.fns.set(name, fn);
    }
  }

  nameOf(fn: WeightOf): string | undefined {
    return this.names.get(fn);
  }

  byName(name: string): WeightOf | undefined {
    return this.fns.get(name);
  }
}
