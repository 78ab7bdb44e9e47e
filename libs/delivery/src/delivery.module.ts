import { Module } from '@nestjs/common';
import { ChatPacer } from './chat-pacer';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryService } from './delivery.service';

@Module({ providers: [DeliveryRepository, DeliveryService, ChatPacer], exports: [DeliveryService] })
export class DeliveryModule {}
