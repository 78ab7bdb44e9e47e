/**
 * Preloaded into a worker profiled with `--cpu-prof` (spawnNode adds it): Nest re-raises SIGTERM once its
 * shutdown is done, which would end the process by the signal before Node writes the profile. The second
 * SIGTERM (Nest's) ends it with exit(0) instead, so the profile is written; a process that listens for no
 * SIGTERM of its own (the fair bound's worker) exits at the first.
 */
let seen = 0;
process.on('SIGTERM', () => {
  seen += 1;
  if (seen > 1 || process.listenerCount('SIGTERM') === 1) process.exit(0);
});

export {};
