import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  PayloadTooLargeException,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { type Observable } from 'rxjs';
import { DomainError, sizeText } from '@inbox/common';
import { AppConfig } from '@inbox/config';

/**
 * Nest's FileInterceptor for the one file an answer takes, whose "File too large" reaches the clerk as the
 * domain's Russian refusal with the limit (ATTACHMENT_MAX_BYTES), like every other refusal of the api.
 */
@Injectable()
export class AnswerFileInterceptor extends FileInterceptor('file') implements NestInterceptor {
  @Inject(AppConfig) private readonly config!: AppConfig;

  override async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    try {
      return await super.intercept(context, next);
    } catch (error) {
      if (error instanceof PayloadTooLargeException) {
        const message = `Файл больше ${sizeText(this.config.attachmentMaxBytes)}`;
        throw new DomainError('too-large', message, { file: message });
      }
      throw error;
    }
  }
}
