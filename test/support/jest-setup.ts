// Integration and e2e tests talk to real Postgres, Redis and child processes: give them time.
jest.setTimeout(180_000);
