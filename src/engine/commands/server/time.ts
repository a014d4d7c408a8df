import { type CommandSpec, NO_KEYS } from '../../command';
import { array, bulkStr } from '../../reply';

export const time: CommandSpec = {
  name: 'time',
  arity: 1,
  flags: ['loading', 'stale', 'fast'],
  keys: NO_KEYS,
  group: 'server',
  complexity: 'O(1)',
  summary: 'Returns the server time.',
  since: '2.6.0',
  run({ now }) {
    // The injected clock has millisecond resolution; microseconds are the milliseconds scaled.
    const secs = Math.floor(now / 1000);
    return array([bulkStr(String(secs)), bulkStr(String((now - secs * 1000) * 1000))]);
  },
};
