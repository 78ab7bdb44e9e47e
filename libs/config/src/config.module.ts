import { Global, Module } from '@nestjs/common';
import { setLogLevel } from '@inbox/common';
import { AppConfig } from './app-config';

/** The one configuration, validated once at boot; the log level is applied from it there. */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const config = new AppConfig(env);
  setLogLevel(config.logLevel);
  return config;
}

@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: () => loadAppConfig() }],
  exports: [AppConfig],
})
export class ConfigModule {}
