import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  PayloadTooLargeException,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiCreatedResponse } from '@nestjs/swagger';
import { type Observable } from 'rxjs';
import { allowedUpload, DomainError, safeFileName, sizeText } from '@inbox/common';
import { CreatedDto } from './appeal.responses';
import { AppConfig } from '@inbox/config';
import { refuseUndeclaredOrLarger } from '../public/form-attachments.interceptor';

/**
 * Nest's FileInterceptor for a staff upload of one file (an answer's, a knowledge base article's, a rubricator or
 * training-data CSV), whose "File too large" reaches the clerk as the domain's Russian refusal with the limit
 * (ATTACHMENT_MAX_BYTES), like every other refusal of the api. Multer's cap is one byte over the limit (so a command
 * may tell "too large" from "at the limit"); a file of exactly that byte is refused here too, for a command that does
 * not weigh it (the CSV imports were parsed at 10 МБ + 1 byte, and answered «Запрос слишком большой» above it).
 * A multipart body is weighed by its declared length first, before a byte of it is read, as the form's is: multer
 * holds what it reads in memory, and a body of many files or parts was read to its end before any was refused.
 */
@Injectable()
export class AnswerFileInterceptor extends FileInterceptor('file') implements NestInterceptor {
  @Inject(AppConfig) private readonly config!: AppConfig;

  override async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    refuseUndeclaredOrLarger(context, this.config.attachmentMaxBytes, 'file', this.tooLarge().message);
    let handled: Observable<unknown>;
    try {
      handled = await super.intercept(context, next);
    } catch (error) {
      if (error instanceof PayloadTooLargeException) throw this.tooLarge();
      throw error;
    }
    const file = context.switchToHttp().getRequest<{ file?: Express.Multer.File }>().file;
    if (file && file.size > this.config.attachmentMaxBytes) throw this.tooLarge();
    return handled;
  }

  private tooLarge(): DomainError {
    const message = `Файл больше ${sizeText(this.config.attachmentMaxBytes)}`;
    return new DomainError('too-large', message, { file: message });
  }
}

/** A staff upload of one file (multipart `file`, through AnswerFileInterceptor), answered 201 with its id. */
export function FileUpload(): MethodDecorator {
  return applyDecorators(
    ApiConsumes('multipart/form-data'),
    ApiBody({
      schema: {
        type: 'object',
        properties: { file: { type: 'string', format: 'binary' } },
        required: ['file'],
      },
    }),
    UseInterceptors(AnswerFileInterceptor),
    ApiCreatedResponse({ type: CreatedDto }),
  );
}

/**
 * The uploaded file as a command takes it. Multer reads the multipart file name as latin1; browsers send UTF-8.
 * What the bytes are is checked against the form's allow-list (a citizen may open this file): an executable or a
 * web page named .pdf is refused. No file at all is left to the command to refuse, after the scope.
 */
export async function uploadedFile(
  file: Express.Multer.File | undefined,
): Promise<{ fileName: string; contentType: string; content: Buffer }> {
  const fileName = file
    ? safeFileName(Buffer.from(file.originalname, 'latin1').toString('utf8')) || 'file'
    : '';
  const sniffed = file?.buffer.length ? await allowedUpload(fileName, file.buffer) : undefined;
  if (file?.buffer.length && !sniffed) {
    const message = `Файл «${fileName}» не принят: приложите PDF, DOC, DOCX, ODT, RTF, TXT, JPG или PNG`;
    throw new DomainError('unsupported-media-type', message, { file: message });
  }
  return {
    fileName,
    contentType: sniffed ?? 'application/octet-stream',
    content: file?.buffer ?? Buffer.alloc(0),
  };
}
