/**
 * Sorted sets whose weights are derived from their payloads (the S3 index's keys zset: each object's size) keep
 * their weight function across a snapshot by name: the snapshot stores the name, not the weights, and the loader
 * looks the function up again, with the KeyClassifier such sets are built with (the S3 index: its keys that are not
 * plain), so that a restored set is the same kind of set as the one saved. The layer above the engine that owns such
 * functions names them.
 */
import type { KeyClassifier, WeightOf } from '../engine/structures/packed-btree';

/** A named kind of sorted set: how its weights derive from payloads, and which members its trees count. */
export interface DerivedWeights {
  weightOf: WeightOf;
  classifier?: KeyClassifier;
}

export class WeightFunctions {
  private readonly names = new Map<WeightOf, string>();
  private readonly kinds = new Map<string, DerivedWeights>();

  constructor(named: Readonly<Record<string, WeightOf | DerivedWeights>> = {}) {
    for (const [name, def] of Object.entries(named)) {
      const kind = typeof def === 'function' ? { weightOf: def } : def;
      this.names.set(kind.weightOf, name);
      this.kinds.set(name, kind);
    }
  }

  nameOf(fn: WeightOf): string | undefined {
    return this.names.get(fn);
  }

  byName(name: string): WeightOf | undefined {
    return this.kinds.get(name)?.weightOf;
  }

  /** The KeyClassifier of the sets whose weights the function named `name` derives, if they have one. */
  classifierOf(name: string): KeyClassifier | undefined {
    return this.kinds.get(name)?.classifier;
  }
}
