import { InitialSchema1763840000000 } from './1763840000000-InitialSchema';
import { RegistrationNumberSequences1763840000001 } from './1763840000001-RegistrationNumberSequences';

/** Every migration, in order. Listed explicitly so the build, the CLI and the tests see the same set. */
export const MIGRATIONS = [InitialSchema1763840000000, RegistrationNumberSequences1763840000001];
