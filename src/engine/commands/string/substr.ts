import type { CommandSpec } from '../../command';
import { getrange } from './getrange';

/** The old name of GETRANGE (deprecated since 2.0.0, still answered): the same command under its first name. */
export const substr: CommandSpec = { ...getrange, name: 'substr', since: '1.0.0' };
