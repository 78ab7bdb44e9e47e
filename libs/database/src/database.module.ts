import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@inbox/config';
import { rootLogger } from '@inbox/common';
import { dataSourceOptions, runMigrationsLocked } from './data-source';

@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => dataSourceOptions(config.databaseUrl),
          dataSourceFactory: async (options) => {
            const ds = await new DataSource(options!).initialize();
            const config = new AppConfig(process.env);
            if (config.runMigrationsAtBoot) {
              const log = rootLogger.child('migrations');
              await runMigrationsLocked(ds, (line) => log.info(line));
            }
            return ds;
          },
        }),
      ],
    };
  }
}
