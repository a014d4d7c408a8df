/**
 * ACL categories and access levels, derived from the command table.
 *
 * Categories follow Redis 7: most are implied by a command's flags (write → @write, readonly → @read, admin →
 * @admin and @dangerous, pubsub → @pubsub, fast → @fast else @slow, blocking → @blocking) and by its group (the
 * data type: @string, @hash, @sortedset, @keyspace, …); a spec's `acl` adds the rest (KEYS and FLUSHALL are
 * @dangerous, COMMAND is @connection). A subcommand with flags of its own (CONFIG SET, CLIENT KILL) is categorised
 * by them, so its container can hold harmless and administrative subcommands side by side.
 *
 * Access levels are what an API token (or, later, a RESP user) may run:
 *   ro     commands in neither @write, @pubsub, @admin nor @dangerous (reads, PING, ECHO, TIME, COMMAND, …)
 *   rw     adds @write and @pubsub (data writes, PUBLISH)
 *   admin  everything (@admin and @dangerous: CONFIG, CLIENT LIST/KILL, FLUSHALL, SWAPDB, KEYS, INFO, MONITOR, …)
 */
import type { AclCategory, CommandFlag, CommandGroup, CommandSpec, SubcommandSpec } from './command';

export type AccessLevel = 'ro' | 'rw' | 'admin';

export const ACCESS_LEVELS: readonly AccessLevel[] = ['ro', 'rw', 'admin'];

const GROUP_CATEGORY: Record<CommandGroup, AclCategory | undefined> = {
  generic: 'keyspace',
  string: 'string',
  hash: 'hash',
  'sorted-set': 'sortedset',
  list: 'list',
  set: 'set',
  server: undefined,
  connection: 'connection',
  transactions: 'transaction',
  pubsub: undefined,
  geo: 'geo',
  s3index: 's3index',
};

function categoriesFrom(
  flags: readonly CommandFlag[],
  group: CommandGroup,
  extra: readonly AclCategory[],
): readonly AclCategory[] {
  const out = new Set<AclCategory>();
  if (flags.includes('write')) out.add('write');
  if (flags.includes('readonly')) out.add('read');
  if (flags.includes('admin')) {
    out.add('admin');
    out.add('dangerous');
  }
  if (flags.includes('pubsub')) out.add('pubsub');
  const g = GROUP_CATEGORY[group];
  if (g) out.add(g);
  for (const c of extra) out.add(c);
  out.add(flags.includes('fast') ? 'fast' : 'slow');
  if (flags.includes('blocking')) out.add('blocking');
  return Object.freeze([...out]);
}

const cache = new WeakMap<CommandSpec | SubcommandSpec, readonly AclCategory[]>();

/** The ACL categories of a command, or of one of its subcommands. */
export function aclCategories(spec: CommandSpec, sub?: SubcommandSpec): readonly AclCategory[] {
  const owner = sub ?? spec;
  let cats = cache.get(owner);
  if (cats === undefined) {
    cats = categoriesFrom(sub?.flags ?? spec.flags, spec.group, sub?.acl ?? spec.acl ?? []);
    cache.set(owner, cats);
  }
  return cats;
}

/** The subcommand argv names (argv[1] of a container command), if it is one of the spec's. */
export function subcommandNamed(spec: CommandSpec, argv: readonly Buffer[]): SubcommandSpec | undefined {
  if (!spec.subcommands || argv.length < 2) return undefined;
  const name = argv[1]!.toString('latin1').toLowerCase();
  return spec.subcommands.find((s) => s.name === name);
}

/** The level a set of categories needs. */
export function levelFor(cats: readonly AclCategory[]): AccessLevel {
  if (cats.includes('admin') || cats.includes('dangerous')) return 'admin';
  if (cats.includes('write') || cats.includes('pubsub')) return 'rw';
  return 'ro';
}

/** The level needed to run this invocation (its subcommand's, for a container command). */
export function requiredLevel(spec: CommandSpec, argv: readonly Buffer[]): AccessLevel {
  return levelFor(aclCategories(spec, subcommandNamed(spec, argv)));
}

/** Whether `level` may run what needs `needed`. */
export const levelAllows = (level: AccessLevel, needed: AccessLevel): boolean =>
  ACCESS_LEVELS.indexOf(level) >= ACCESS_LEVELS.indexOf(needed);

/** `cmd` or `cmd|sub`, as Redis names an invocation in ACL errors. */
export function invocationName(spec: CommandSpec, argv: readonly Buffer[]): string {
  const sub = subcommandNamed(spec, argv);
  return sub ? `${spec.name}|${sub.name}` : spec.name;
}
