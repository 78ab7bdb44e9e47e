import {
  CpuLedger,
  parseCpuTotals,
  parseProcStat,
  parseSchedStat,
  printCpuBudget,
  summarise,
} from './cpu-budget';

// A real line's shape (proc(5)): pid (comm) state ppid … utime stime cutime cstime … starttime …
const statLine = (comm: string, utime: number, stime: number, cutime = 0, cstime = 0, start = 500) =>
  `4242 (${comm}) S 2213 4242 4242 0 -1 4194560 1000 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0 ${start} 221184000 5000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0`;

describe('parsing /proc', () => {
  it('reads CPU, children, parent and start from a stat line, whatever the command holds', () => {
    expect(parseProcStat(statLine('postgres: 15/main: walwriter (x) ', 120, 30, 7, 3, 9000))).toEqual({
      comm: 'postgres: 15/main: walwriter (x) ',
      ppid: 2213,
      cpuTicks: 150,
      childTicks: 10,
      startTicks: 9000,
    });
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseProcStat('no parentheses here')).toThrow('not a /proc/<pid>/stat line');
    expect(() => parseProcStat('1 (x) S 0')).toThrow('field 14 missing');
  });

  it('reads schedstat and the machine totals (idle and iowait are idle, steal is not)', () => {
    expect(parseSchedStat('7916558983 148506321675 103926\n')).toEqual({
      runNs: 7916558983,
      waitNs: 148506321675,
    });
    expect(parseCpuTotals('cpu  100 20 30 400 50 1 2 3 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n')).toEqual({
      busyTicks: 156,
      totalTicks: 606,
    });
  });
});

describe('CpuLedger and summarise', () => {
  const reading = (cpuTicks: number, startTicks: number, runNs = 0, waitNs = 0) => ({
    cpuTicks,
    startTicks,
    runNs,
    waitNs,
  });

  it('counts a process from its first reading, one born in the phase from zero, and unreadable ones apart', () => {
    const ledger = new CpuLedger(1000);
    ledger.declare('redis');
    ledger.observe('worker', 1, reading(500, 10, 1e9, 1e8));
    ledger.observe('worker', 1, reading(800, 10, 4e9, 5e8));
    ledger.observe('postgres', 2, reading(40, 1200)); // born after the phase started
    ledger.observe('postgres', 2, reading(90, 1200));
    ledger.observe('postgres', 3, 'unreadable');
    expect(ledger.totals()).toEqual([
      { group: 'redis', processes: 0, cpuTicks: 0, runNs: 0, waitNs: 0, unreadable: 0 },
      { group: 'worker', processes: 1, cpuTicks: 300, runNs: 3e9, waitNs: 4e8, unreadable: 0 },
      { group: 'postgres', processes: 1, cpuTicks: 90, runNs: 0, waitNs: 0, unreadable: 1 },
    ]);
  });

  it('gives ms per appeal per group, the total, the ceiling on the cores and the shares of wall × cores', () => {
    const budget = summarise(
      [
        { group: 'worker', processes: 2, cpuTicks: 300, runNs: 2e9, waitNs: 1e9, unreadable: 0 },
        { group: 'postgres', processes: 4, cpuTicks: 100, runNs: 1e9, waitNs: 0, unreadable: 0 },
        { group: 'redis', processes: 0, cpuTicks: 0, runNs: 0, waitNs: 0, unreadable: 1 },
      ],
      {
        appeals: 1000,
        wallMs: 5000,
        cores: 2,
        clkTck: 100,
        machineBusyTicks: 900,
        machineTotalTicks: 1000,
        exitedPostgresTicks: 5,
        loadAverage: { before: ['1.0'], after: ['2.0'] },
      },
    );
    expect(budget.rows).toEqual([
      {
        group: 'worker',
        processes: 2,
        unreadable: 0,
        cpuMs: 3000,
        msPerAppeal: 3,
        onCpu: 0.2, // 2 s on a core over 2 processes × 5 s
        waitingForCore: 0.1,
      },
      {
        group: 'postgres',
        processes: 4,
        unreadable: 0,
        cpuMs: 1000,
        msPerAppeal: 1,
        onCpu: 0.05,
        waitingForCore: 0,
      },
      { group: 'redis', processes: 0, unreadable: 1 },
    ]);
    expect(budget).toMatchObject({
      totalMs: 4000,
      totalMsPerAppeal: 4,
      ceilingPerSecond: 500, // 2 cores × 1000 ms / 4 ms an appeal
      ourShare: 0.4, // 4 s of CPU over 5 s × 2 cores
      machineBusyShare: 0.9,
      exitedPostgresMs: 50,
    });
  });

  it('prints an unreadable group as such, not as a number, and names it under the table', () => {
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      printCpuBudget(
        'CPU',
        summarise([{ group: 'redis', processes: 0, cpuTicks: 0, runNs: 0, waitNs: 0, unreadable: 1 }], {
          appeals: 10,
          wallMs: 1000,
          cores: 2,
          clkTck: 100,
          machineBusyTicks: 0,
          machineTotalTicks: 200,
          exitedPostgresTicks: 0,
          loadAverage: { before: ['1.0'], after: ['1.0'] },
        }),
        5,
      );
    } finally {
      log.mockRestore();
    }
    const out = lines.join('\n');
    expect(out).toContain('| redis ');
    expect(out).toContain('not readable or not found');
    expect(out).toContain('NOT READABLE, so not in the total: redis.');
  });
});
