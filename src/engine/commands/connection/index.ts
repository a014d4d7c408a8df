/** The connection commands, listed explicitly (the registry is never built by scanning the file system). */
import type { CommandSpec } from '../../command';
import { echo } from './echo';
import { ping } from './ping';

export const CONNECTION_COMMANDS: readonly CommandSpec[] = [ping, echo];
