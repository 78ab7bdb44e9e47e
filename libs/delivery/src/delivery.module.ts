import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { ChatPacer } from './chat-pacer';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryService } from './delivery.service';

@Module({
  imports: [AppealsModule],
  providers: [DeliveryRepository, DeliveryService, ChatPacer],
  exports: [DeliveryService],
})
export class DeliveryModule {}
