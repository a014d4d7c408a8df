/** The server commands, listed explicitly (the registry is never built by scanning the file system). */
import type { CommandSpec } from '../../command';

export const SERVER_COMMANDS: readonly CommandSpec[] = [];
