import { Global, Module } from '@nestjs/common';
import { ChannelRegistry } from './channel-registry.service';

@Global()
@Module({ providers: [ChannelRegistry], exports: [ChannelRegistry] })
export class ChannelsModule {}
