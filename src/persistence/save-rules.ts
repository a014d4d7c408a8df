/** Redis's `save` rules: snapshot when at least `changes` writes happened within `seconds`. */
export interface SaveRule {
  seconds: number;
  changes: number;
}

/** Redis's default rules (redis.conf): after an hour and 1 change, 5 minutes and 100, a minute and 10000. */
export const DEFAULT_SAVE_RULES = '3600 1 300 100 60 10000';

/** Parses "3600 1 300 100", or "" for no automatic snapshots; undefined when malformed. */
export function parseSaveRules(raw: string): SaveRule[] | undefined {
  const parts = raw.trim().split(/\s+/).filter(Boolean);
  if (parts.length % 2 !== 0 || parts.some((p) => !/^\d+$/.test(p))) return undefined;
  const rules: SaveRule[] = [];
  for (let i = 0; i < parts.length; i += 2) rules.push({ seconds: Number(parts[i]), changes: Number(parts[i + 1]) });
  return rules;
}
