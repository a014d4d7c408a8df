import { describeDifferential } from './harness';
import { HASHES } from './hashes';

describeDifferential(HASHES);
