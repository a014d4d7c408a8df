import { describeDifferential } from './harness';
import { ZSETS } from './zsets';

describeDifferential(ZSETS);
