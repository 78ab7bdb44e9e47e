import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  mixin,
  type NestInterceptor,
  PayloadTooLargeException,
  type Type,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { type Observable } from 'rxjs';
import { DomainError, invalidInput } from '@inbox/common';
import { AppConfig } from '@inbox/config';

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

/**
 * A multipart body's declared length against what its files may hold (`fileBytes`) and its fields besides (at
 * most MULTIPART_FIELDS of MULTIPART_FIELD_BYTES, and each part's headers), checked before a byte of it is read:
 * multer keeps the files in memory. A multipart body must declare its length (a browser's always does; Node
 * reads no byte past it). Other bodies pass.
 */
export function refuseUndeclaredOrLarger(
  context: ExecutionContext,
  fileBytes: number,
  field: string,
  tooLarge: string,
): void {
  const headers = context
    .switchToHttp()
    .getRequest<{ headers: Record<string, string | undefined> }>().headers;
  if (!/^multipart\//i.test(headers['content-type'] ?? '')) return;
  const declared = headers['content-length'];
  if (declared === undefined || !/^\d+$/.test(declared)) {
    const message = 'Длина запроса не указана (заголовок Content-Length)';
    throw invalidInput(message, { [field]: message });
  }
  if (Number(declared) > fileBytes + MULTIPART_FIELDS * MULTIPART_FIELD_BYTES + 64 * 1024) {
    throw new DomainError('too-large', tooLarge, { [field]: tooLarge });
  }
}

/**
 * An anonymous upload's size, refused before a byte of it is read: multer bounds the files one by one
 * (MULTIPART_FILES of ATTACHMENT_MAX_BYTES: 500 MB by default), while the form's own limit on them together
 * (ANONYMOUS_UPLOAD_BYTES_PER_REQUEST) was checked only once all were held.
 */
@Injectable()
export class DeclaredUploadSize implements NestInterceptor {
  constructor(private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const limit = this.config.anonymousUploadBytesPerRequest;
    refuseUndeclaredOrLarger(
      context,
      limit,
      'attachments',
      `Вложения вместе больше ${Math.round(limit / 1048576)} МБ`,
    );
    return next.handle();
  }
}
