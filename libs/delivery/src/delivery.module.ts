import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { ChatPacer } from './chat-pacer';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryService } from './delivery.service';
import { KeptReceipts } from './kept-receipts';

@Module({
  imports: [AppealsModule],
  providers: [DeliveryRepository, DeliveryService, ChatPacer, KeptReceipts],
  exports: [DeliveryService],
})
export class DeliveryModule {}
