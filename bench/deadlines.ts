import { loadavg } from 'node:os';
import { computeAppealDeadlines, ProductionCalendar } from '@inbox/deadlines';

/**
 * `npm run bench -- deadlines [N]`: ms per 10 000 calls of the registration's deadline computation
 * (computeAppealDeadlines as the registrar calls it: Moscow, a registration a few hours after receipt,
 * instants spread over two years so the calendar walk meets weekends and holidays). Five rounds, the median.
 */
export async function benchDeadlines(args: string[]): Promise<void> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
  const calendar = ProductionCalendar.russian();
  const start = Date.UTC(2025, 0, 1);
  // Registrations arrive close together in time: step 7 minutes, so ~200 a day.
  const instants = Array.from({ length: n }, (_, i) => new Date(start + i * 7 * 60_000));
  const run = () => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      computeAppealDeadlines({
        receivedAt: new Date(instants[i].getTime() - 5 * 3_600_000),
        registeredAt: instants[i],
        fastTrack: i % 5 === 0,
        timeZone: i % 10 === 0 ? 'Asia/Yekaterinburg' : 'Europe/Moscow',
        calendar,
      });
    }
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  run(); // warm-up
  const rounds = Array.from({ length: 5 }, run).sort((a, b) => a - b);
  const per10k = (ms: number) => Math.round((ms / n) * 10_000 * 10) / 10;
  console.log(
    JSON.stringify({
      bench: 'deadlines',
      at: new Date().toISOString(),
      loadAverage: loadavg().map((l) => l.toFixed(1)),
      calls: n,
      msPer10000: { median: per10k(rounds[2]), min: per10k(rounds[0]), max: per10k(rounds[4]) },
    }),
  );
  await Promise.resolve();
}
