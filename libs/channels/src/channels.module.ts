import { Global, Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { IntakeModule } from '@inbox/intake';
import { ChannelPuller } from './channel-puller.service';
import { ChannelRegistry } from './channel-registry.service';
import { InboundEvents } from './inbound-events.service';

@Global()
@Module({
  imports: [AppealsModule, IntakeModule],
  providers: [ChannelRegistry, InboundEvents, ChannelPuller],
  exports: [ChannelRegistry, InboundEvents, ChannelPuller],
})
export class ChannelsModule {}
