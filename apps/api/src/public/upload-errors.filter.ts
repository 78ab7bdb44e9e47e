import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  type ExceptionFilter,
  HttpException,
} from '@nestjs/common';
import { type Response } from 'express';

/** Multer's own errors ("Unexpected field", "File too large") in the form's Russian shape. */
@Catch(HttpException)
export class UploadErrorsFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const status = exception.getStatus();
    const body = exception.getResponse();
    const alreadyShaped = typeof body === 'object' && body !== null && 'errors' in body;
    if (alreadyShaped || (status !== 413 && !(exception instanceof BadRequestException))) {
      res.status(status).json(typeof body === 'string' ? { statusCode: status, message: body } : body);
      return;
    }
    const message =
      status === 413
        ? 'Файлы слишком большие'
        : 'Вложения переданы некорректно: используйте поле «attachments»';
    res.status(status).json({ statusCode: status, message, errors: { attachments: message } });
  }
}
