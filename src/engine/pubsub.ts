/**
 * The publish/subscribe hub: channel and pattern subscriptions and message fan-out. It knows nothing about
 * sockets or RESP: a subscriber is anything with `message`/`pmessage` callbacks (the RESP connection formats them
 * as RESP2 arrays or RESP3 pushes). There is one hub per engine (`pubsubOf(engine)`), so every front end
 * (RESP server, HTTP, Lambda) publishes into the same hub.
 *
 * Representation: channel (latin1 string of its bytes) → Set of subscribers; pattern string → {pattern bytes,
 * Set of subscribers}. Costs: SUBSCRIBE/UNSUBSCRIBE O(1) per channel; PUBLISH O(N+M) where N is the channel's
 * subscribers and M the number of subscribed patterns (each pattern is matched against the channel, as in Redis).
 */

import type { Engine } from './engine';
import { globMatch } from './glob';

export interface Subscriber {
  message(channel: Buffer, payload: Buffer): void;
  pmessage(pattern: Buffer, channel: Buffer, payload: Buffer): void;
  /** a message of a shard channel (SPUBLISH); shard channels are a namespace of their own, without patterns */
  smessage(channel: Buffer, payload: Buffer): void;
}

interface PatternEntry {
  readonly pattern: Buffer;
  readonly subs: Set<Subscriber>;
}

export class PubSubHub {
  private readonly channels = new Map<string, Set<Subscriber>>();
  private readonly patterns = new Map<string, PatternEntry>();
  /** shard channels (SSUBSCRIBE / SPUBLISH): one shard here, the whole server */
  private readonly shardChannels = new Map<string, Set<Subscriber>>();

  /** Adds a channel subscription; returns false when the subscriber already had it. */
  subscribe(sub: Subscriber, channel: Buffer): boolean {
    const k = channel.toString('latin1');
    let subs = this.channels.get(k);
    if (!subs) {
      subs = new Set();
      this.channels.set(k, subs);
    }
    if (subs.has(sub)) return false;
    subs.add(sub);
    return true;
  }

  unsubscribe(sub: Subscriber, channel: Buffer): boolean {
    const k = channel.toString('latin1');
    const subs = this.channels.get(k);
    if (!subs?.delete(sub)) return false;
    if (subs.size === 0) this.channels.delete(k);
    return true;
  }

  psubscribe(sub: Subscriber, pattern: Buffer): boolean {
    const k = pattern.toString('latin1');
    let e = this.patterns.get(k);
    if (!e) {
      e = { pattern: Buffer.from(pattern), subs: new Set() };
      this.patterns.set(k, e);
    }
    if (e.subs.has(sub)) return false;
    e.subs.add(sub);
    return true;
  }

  punsubscribe(sub: Subscriber, pattern: Buffer): boolean {
    const k = pattern.toString('latin1');
    const e = this.patterns.get(k);
    if (!e?.subs.delete(sub)) return false;
    if (e.subs.size === 0) this.patterns.delete(k);
    return true;
  }

  /** Delivers a message; returns the number of receivers (a client subscribed twice, by channel and pattern, counts twice). */
  publish(channel: Buffer, payload: Buffer): number {
    let n = 0;
    const subs = this.channels.get(channel.toString('latin1'));
    if (subs) {
      for (const s of subs) {
        s.message(channel, payload);
        n++;
      }
    }
    if (this.patterns.size > 0) {
      for (const e of this.patterns.values()) {
        if (!globMatch(e.pattern, channel)) continue;
        for (const s of e.subs) {
          s.pmessage(e.pattern, channel, payload);
          n++;
        }
      }
    }
    return n;
  }

  /** Adds a shard channel subscription; returns false when the subscriber already had it. */
  ssubscribe(sub: Subscriber, channel: Buffer): boolean {
    const k = channel.toString('latin1');
    let subs = this.shardChannels.get(k);
    if (!subs) {
      subs = new Set();
      this.shardChannels.set(k, subs);
    }
    if (subs.has(sub)) return false;
    subs.add(sub);
    return true;
  }

  sunsubscribe(sub: Subscriber, channel: Buffer): boolean {
    const k = channel.toString('latin1');
    const subs = this.shardChannels.get(k);
    if (!subs?.delete(sub)) return false;
    if (subs.size === 0) this.shardChannels.delete(k);
    return true;
  }

  /** Delivers a shard message (SPUBLISH); returns the number of receivers. */
  spublish(channel: Buffer, payload: Buffer): number {
    const subs = this.shardChannels.get(channel.toString('latin1'));
    if (!subs) return 0;
    for (const s of subs) s.smessage(channel, payload);
    return subs.size;
  }

  /** Active shard channels, optionally filtered by a glob pattern (PUBSUB SHARDCHANNELS). */
  activeShardChannels(pattern?: Buffer): Buffer[] {
    return keysMatching(this.shardChannels, pattern);
  }

  shardNumSub(channel: Buffer): number {
    return this.shardChannels.get(channel.toString('latin1'))?.size ?? 0;
  }

  /** Active channels (with at least one subscriber), optionally filtered by a glob pattern. */
  activeChannels(pattern?: Buffer): Buffer[] {
    return keysMatching(this.channels, pattern);
  }

  numSub(channel: Buffer): number {
    return this.channels.get(channel.toString('latin1'))?.size ?? 0;
  }

  /** Number of distinct subscribed patterns (PUBSUB NUMPAT). */
  get numPat(): number {
    return this.patterns.size;
  }

  get numChannels(): number {
    return this.channels.size;
  }
}

/** The names of a subscription map (latin1 keys) as bytes, those matching `pattern` when given. */
function keysMatching(m: Map<string, unknown>, pattern: Buffer | undefined): Buffer[] {
  const out: Buffer[] = [];
  for (const k of m.keys()) {
    const b = Buffer.from(k, 'latin1');
    if (!pattern || globMatch(pattern, b)) out.push(b);
  }
  return out;
}

const hubs = new WeakMap<Engine, PubSubHub>();

/** The engine's hub, created on first use. */
export function pubsubOf(engine: Engine): PubSubHub {
  let h = hubs.get(engine);
  if (!h) {
    h = new PubSubHub();
    hubs.set(engine, h);
  }
  return h;
}
