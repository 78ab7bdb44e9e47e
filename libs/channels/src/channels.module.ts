import { type DynamicModule, Module } from '@nestjs/common';
import { type ConnectorLoaders } from '@inbox/integrations/contract';
import { AppealsModule } from '@inbox/appeals';
import { IntakeModule } from '@inbox/intake';
import { AppealEventHooks } from './appeal-event-hooks.service';
import { AppealEventsOutbox } from './appeal-events-outbox.repository';
import { ChannelAccountsAdmin } from './channel-accounts-admin.service';
import { ChannelAccountsRepository } from './channel-accounts.repository';
import { ChannelIntake } from './channel-intake.service';
import { EventOutboxPanel } from './event-outbox-panel.service';
import { QuarantinePanel } from './quarantine-panel.service';
import { ChannelPuller } from './channel-puller.service';
import { CONNECTOR_LOADERS, ChannelRegistry } from './channel-registry.service';
import { InboundEvents } from './inbound-events.service';
import { InboundEventsRepository } from './inbound-events.repository';

const SERVICES = [
  ChannelAccountsRepository,
  ChannelAccountsAdmin,
  InboundEventsRepository,
  AppealEventsOutbox,
  ChannelRegistry,
  InboundEvents,
  ChannelIntake,
  ChannelPuller,
  AppealEventHooks,
  EventOutboxPanel,
  QuarantinePanel,
];

/**
 * Channel accounts, intake from connectors, inbound events and the history outbox. Global; the app hands
 * it the loaders of the connectors it wires in (integrations/catalog), so no library here knows a concrete
 * channel, and a channel's module is loaded only when an account of it exists.
 */
@Module({})
export class ChannelsModule {
  static forRoot(connectors: ConnectorLoaders): DynamicModule {
    return {
      module: ChannelsModule,
      global: true,
      imports: [AppealsModule, IntakeModule],
      providers: [{ provide: CONNECTOR_LOADERS, useValue: connectors }, ...SERVICES],
      exports: SERVICES,
    };
  }
}
