import { describeDifferential } from './harness';
import { KEYS_STRINGS } from './keys-strings';

describeDifferential(KEYS_STRINGS);
