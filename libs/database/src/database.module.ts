import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@inbox/config';
import { rootLogger } from '@inbox/common';
import { dataSourceOptions, runMigrationsLocked } from './data-source';
import { AdvisoryLocks } from './advisory-locks';
import { DatabaseHealth, Settings, Transactions } from './sql';

/** Which process's pool: the api's sessions plan for pages of rows (AppConfig.apiParallelSetupCost). */
export interface DatabaseModuleOptions {
  pool?: 'api';
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
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(
              config.databaseUrl,
              // Set at connection start, so every statement of the pool plans with it and no round trip is added.
              pool === 'api'
                ? { extra: { options: `-c parallel_setup_cost=${config.apiParallelSetupCost}` } }
                : {},
            ),
            migrationsRun: config.runMigrationsAtBoot,
          }),
          dataSourceFactory: async (options) => {
            const ds = await new DataSource({ ...options!, migrationsRun: false }).initialize();
            if (options!.migrationsRun) {
              const log = rootLogger.child('migrations');
              await runMigrationsLocked(ds, (line) => log.info(line));
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
