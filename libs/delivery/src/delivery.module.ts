import { Module } from '@nestjs/common';
import { ChatPacer } from './chat-pacer';
import { DeliveryService } from './delivery.service';

@Module({ providers: [DeliveryService, ChatPacer], exports: [DeliveryService] })
export class DeliveryModule {}
