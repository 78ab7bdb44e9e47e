import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { type Response } from 'express';
import { ClassificationError } from '@inbox/classification';

/** The classification library's refusals as the API's usual answers: { statusCode, message, errors }. */
@Catch(ClassificationError)
export class ClassificationErrorsFilter implements ExceptionFilter {
  catch(error: ClassificationError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    res.status(error.status).json({
      statusCode: error.status,
      message: error.message,
      ...(error.errors ? { errors: error.errors } : {}),
    });
  }
}
