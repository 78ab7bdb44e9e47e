import { type DynamicModule, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { AccessModule } from '@inbox/access';
import { AppealsModule } from '@inbox/appeals';
import { ConfigModule } from '@inbox/config';
import { DatabaseModule } from '@inbox/database';
import { IntakeModule } from '@inbox/intake';
import { QueueModule } from '@inbox/queue';

/**
 * The services from a stored item to a registered appeal and its workflow, without the api or the worker: the
 * Nest module of the integration files that run them in this process (createTestContext).
 */
@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot(),
    QueueModule.forRoot(),
    AccessModule,
    AppealsModule,
    IntakeModule,
  ],
})
export class AppealsTestModule {
  /** The same with the modules a file tests on top of them (clocks, reports, channels …) and providers of its own. */
  static with(imports: NonNullable<ModuleMetadata['imports']>, providers: Provider[] = []): DynamicModule {
    return { module: AppealsTestModule, imports, providers };
  }
}
