/**
 * The arguments of the commands that work on a store directly (`s3-index export`, `s3-index import`): options taking
 * a value (`--name VALUE` or `--name=VALUE`), flags, `--` and positionals, and the one store they name
 * (`--data-dir DIR` or `--store s3://BUCKET/PREFIX`). Errors are the usage messages the commands print.
 */

export interface StoreArgs {
  /** `--help` or `-h` was given */
  help: boolean;
  /** the options with a value, by name ('--data-dir' …), the last one given */
  values: Map<string, string>;
  /** the flags given ('--replace' …) */
  flags: Set<string>;
  positional: string[];
}

/** Parses `args`; `valued` and `flags` are the options the command knows (besides --data-dir and --store). */
export function parseStoreArgs(
  args: readonly string[],
  known: { valued?: readonly string[]; flags?: readonly string[] } = {},
): StoreArgs | { error: string } {
  const valued = new Set(['--data-dir', '--store', ...(known.valued ?? [])]);
  const flagNames = new Set(known.flags ?? []);
  const out: StoreArgs = { help: false, values: new Map(), flags: new Set(), positional: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') return { ...out, help: true };
    if (a === '--') {
      out.positional.push(...args.slice(i + 1));
      break;
    }
    if (flagNames.has(a)) {
      out.flags.add(a);
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (!valued.has(name)) return { error: `unknown option '${name}'` };
      const value = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined || value === '') return { error: `${name} needs a value` };
      out.values.set(name, value);
      continue;
    }
    out.positional.push(a);
  }
  return out;
}

/** The store the arguments name, or the usage error: exactly one of --data-dir and --store (an s3:// URL). */
export function storeTarget(a: StoreArgs): { dataDir?: string; store?: string } | { error: string } {
  const dataDir = a.values.get('--data-dir');
  const store = a.values.get('--store');
  if ((dataDir === undefined) === (store === undefined))
    return { error: 'give one of --data-dir DIR or --store s3://…' };
  if (store !== undefined && !store.startsWith('s3://'))
    return { error: `--store takes s3://BUCKET/PREFIX, not ${store}` };
  return { dataDir, store };
}

/** The single FILE positional, or the usage error. */
export function oneFile(a: StoreArgs, missing: string): string | { error: string } {
  if (a.positional.length === 0) return { error: missing };
  if (a.positional.length > 1) return { error: `one FILE only (got ${a.positional.join(' ')})` };
  return a.positional[0]!;
}
