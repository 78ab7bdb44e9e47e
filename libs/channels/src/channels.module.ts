import { Global, Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { IntakeModule } from '@inbox/intake';
import { AppealEventHooks } from './appeal-event-hooks.service';
import { ChannelIntake } from './channel-intake.service';
import { ChannelPuller } from './channel-puller.service';
import { ChannelRegistry } from './channel-registry.service';
import { InboundEvents } from './inbound-events.service';

@Global()
@Module({
  imports: [AppealsModule, IntakeModule],
  providers: [ChannelRegistry, InboundEvents, ChannelIntake, ChannelPuller, AppealEventHooks],
  exports: [ChannelRegistry, InboundEvents, ChannelIntake, ChannelPuller, AppealEventHooks],
})
export class ChannelsModule {}
