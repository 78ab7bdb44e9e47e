// Connectors built without the channels registry may reach the fake channel servers on loopback.
import './loopback-fakes';

// Integration and e2e tests talk to real Postgres, Redis and child processes: give them time.
jest.setTimeout(180_000);

// The suite creates and signs in hundreds of staff accounts on a shared machine: scrypt at N = 2^14 instead of
// production's OWASP 2^17 (128 MiB and ~8× the CPU per hash). The production default and the re-hash of a
// weaker hash at sign-in are tested on their own (libs/access/src/access.spec.ts, test/e2e/security.test.ts).
process.env.PASSWORD_SCRYPT_N ??= String(2 ** 14);
