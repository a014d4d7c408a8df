/**
 * What the geo commands share in the command table: Redis's 'geo' group and @geo ACL category, and the keys of
 * GEORADIUS / GEORADIUSBYMEMBER, whose STORE and STOREDIST destinations are found by keyword (movable keys).
 */
import type { CommandGroup } from '../../command';

/** Redis's group of the geo commands (acl.ts derives the @geo category from it). */
export const GEO_GROUP: CommandGroup = 'geo';

/**
 * COMMAND GETKEYS of GEORADIUS(BYMEMBER): the source, then the key after the first STORE and after the first
 * STOREDIST at or after argv[startFrom] (Redis's keyword key specs; a keyword in last position names nothing).
 */
export function radiusKeys(startFrom: number): (argv: Buffer[]) => Buffer[] {
  return (argv) => {
    const keys = argv.length > 1 ? [argv[1]!] : [];
    for (const word of ['store', 'storedist']) {
      for (let i = startFrom; i < argv.length - 1; i++) {
        if (argv[i]!.toString('latin1').toLowerCase() === word) {
          keys.push(argv[i + 1]!);
          break;
        }
      }
    }
    return keys;
  };
}

/** The keys GEORADIUS(BYMEMBER) writes: the STORE / STOREDIST destinations (none without them). */
export function radiusStoreKeys(startFrom: number): (argv: Buffer[]) => Buffer[] {
  const all = radiusKeys(startFrom);
  return (argv) => all(argv).slice(1);
}
