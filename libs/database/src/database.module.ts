import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig } from '@inbox/config';
import { rootLogger } from '@inbox/common';
import { dataSourceOptions, runMigrationsLocked } from './data-source';
import { AdvisoryLocks } from './advisory-locks';
import { DatabaseHealth, Settings, Transactions } from './sql';

/** Which process's pool: the api's sessions plan for pages of rows (AppConfig.apiParallelSetupCost). */
export interface DatabaseModuleOptions {
  pool?: 'api';
}

/**
 * The settings each session of the pool starts with, as the `options` connection parameter: set at connection
 * start, so every statement plans with them and no round trip is added. Every pool: no JIT unless PG_JIT
 * (AppConfig.pgJit); a transaction left idle longer than PG_IDLE_IN_TRANSACTION_TIMEOUT_MS is ended by the
 * server, its locks freed; and the server probes a quiet connection after 30 s (every 10 s, 3 times), so that
 * one whose process vanished with its machine or its network (no FIN, no RST) is closed within about a minute
 * instead of the kernel's two hours, with whatever it held. The api's pool: its `parallel_setup_cost`.
 */
function sessionOptions(
  config: AppConfig,
  { pool }: DatabaseModuleOptions = {},
  statementTimeoutMs = config.pgStatementTimeoutMs,
): string {
  const settings = [
    ...(config.pgJit ? [] : ['-c jit=off']),
    `-c idle_in_transaction_session_timeout=${config.pgIdleInTransactionTimeoutMs}`,
    `-c statement_timeout=${statementTimeoutMs}`,
    '-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3',
    ...(pool === 'api' ? [`-c parallel_setup_cost=${config.apiParallelSetupCost}`] : []),
  ];
  return settings.join(' ');
}

const bootLog = rootLogger.child('database');

/** Node's codes for a server that is not there (yet), and Postgres's for one starting or stopping. */
const NOT_UP_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // cannot_connect_now (starting up, shutting down, in recovery), admin_shutdown, crash_shutdown.
  '57P03',
  '57P01',
  '57P02',
]);

/**
 * Whether a failure to open the pool at start, or of a write a start makes (bootWrite), means the database is not up
 * yet (a restart, a failover, the machine still booting, every connection taken by another client, a server that
 * takes no writes for now): the process waits for it, however long, rather than exit — nothing may restart it.
 * Anything else (a refused password, no such database, a failed migration) ends the start at once.
 */
export function databaseNotUpYet(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // 08: a connection exception; 53: out of resources for now — "too many clients" (53300, another client holds
  // every connection), a role's or database's connection limit (53400), a full disk (53100), out of memory (53200);
  // 25006: a read-only server (a standby a failover left at the address, default_transaction_read_only).
  if (typeof code === 'string' && (NOT_UP_CODES.has(code) || /^(08|53)/.test(code) || code === '25006'))
    return true;
  return error instanceof Error && /Connection terminated/i.test(error.message);
}

/**
 * A write a starting process makes (its environment's channel accounts, its history consumers), tried again every
 * `delayMs` while the database is not up yet or takes no writes (databaseNotUpYet), logged each time. Before, an
 * api or worker started while Postgres was read-only exited at this write ("cannot execute INSERT in a read-only
 * transaction"), and nothing started it again.
 */
export async function bootWrite<T>(what: string, work: () => Promise<T>, delayMs = 3000): Promise<T> {
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!databaseNotUpYet(error)) throw error;
      const e = error as { code?: unknown; message?: unknown };
      bootLog.warn(`${what}: the database takes no writes yet, trying again`, {
        code: e.code,
        reason: e.message,
      });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

@Module({})
export class DatabaseModule {
  static forRoot({ pool }: DatabaseModuleOptions = {}): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          // The validated config says whether to migrate; TypeORM's own `migrationsRun` carries it to the
          // factory below, which migrates under the advisory lock instead.
          useFactory: (config: AppConfig) => {
            const options = sessionOptions(config, { pool });
            return {
              ...dataSourceOptions(config.databaseUrl, {
                extra: {
                  max: config.pgPoolMax,
                  options,
                  // A server that stops answering mid-statement: given up on (GuardedClient), the job retried.
                  query_timeout: config.pgQueryTimeoutMs,
                  // And one that stops answering while we connect: the same bound, not forever.
                  connectionTimeoutMillis: config.pgQueryTimeoutMs,
                },
              }),
              // The migrations' own connections: no statement bound (an index built over millions of rows).
              migrationOptions: sessionOptions(config, { pool }, 0),
              migrationsRun: config.runMigrationsAtBoot,
              // A database that is not up yet is waited for, every 3 s, logged each time.
              retryAttempts: Number.POSITIVE_INFINITY,
              retryDelay: 3000,
              toRetry: databaseNotUpYet,
            };
          },
          dataSourceFactory: async (factoryOptions) => {
            const { migrationOptions, ...options } = factoryOptions as DataSourceOptions & {
              migrationOptions: string;
            };
            const ds = await new DataSource({ ...options, migrationsRun: false }).initialize();
            if (options.migrationsRun) {
              // On two connections of their own, without the pool's timeouts: a long migration is legitimate.
              const migrator = await new DataSource({
                ...options,
                migrationsRun: false,
                extra: { ...options.extra, max: 2, options: migrationOptions, query_timeout: undefined },
              } as DataSourceOptions).initialize();
              const log = rootLogger.child('migrations');
              try {
                await runMigrationsLocked(migrator, (line, level) =>
                  level === 'warn' ? log.warn(line) : log.info(line),
                );
              } finally {
                await migrator.destroy();
              }
            }
            return ds;
          },
        }),
      ],
      providers: [Transactions, DatabaseHealth, Settings, AdvisoryLocks],
      exports: [Transactions, DatabaseHealth, Settings, AdvisoryLocks],
    };
  }
}
