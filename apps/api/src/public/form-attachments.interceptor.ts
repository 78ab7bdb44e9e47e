import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  mixin,
  type NestInterceptor,
  PayloadTooLargeException,
  type Type,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { type Observable } from 'rxjs';
import { DomainError, invalidInput } from '@inbox/common';

/** What one multipart request may hold besides its files' bytes (every upload of the api: the form's, staff's). */
export const MULTIPART_FIELD_BYTES = 64 * 1024;
export const MULTIPART_FIELDS = 50;
/** The most files one request may carry (the form's hard limit; staff uploads take one). */
export const MULTIPART_FILES = 50;

const TOO_LARGE = 'Файлы слишком большие';
const TOO_MANY_FIELDS = 'Форма содержит слишком много полей';
const MISPLACED = 'Вложения переданы некорректно: используйте поле «attachments»';

/** Multer's own refusals ("File too large", "Unexpected field") as the form's domain errors, by field. */
export function uploadRefusal(error: unknown): unknown {
  if (error instanceof PayloadTooLargeException) {
    return new DomainError('too-large', TOO_LARGE, { attachments: TOO_LARGE });
  }
  if (error instanceof BadRequestException && /^Too many (fields|parts)\b/.test(error.message)) {
    return new DomainError('too-large', TOO_MANY_FIELDS, { form: TOO_MANY_FIELDS });
  }
  if (error instanceof BadRequestException) return invalidInput(MISPLACED, { attachments: MISPLACED });
  return error;
}

/**
 * Nest's FilesInterceptor for the form's files, whose refusals reach the client the one way every domain
 * error does (the api's DomainErrorFilter), not through a filter of their own.
 */
export function FormFilesInterceptor(fieldName: string, maxCount: number): Type<NestInterceptor> {
  class FormFiles extends FilesInterceptor(fieldName, maxCount) {
    override async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      try {
        return await super.intercept(context, next);
      } catch (error) {
        throw uploadRefusal(error);
      }
    }
  }
  return mixin(FormFiles);
}
