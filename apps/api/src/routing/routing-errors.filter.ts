import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { type Response } from 'express';
import { RoutingRuleNotFoundError, RoutingValidationError } from '@inbox/routing';

/** The routing library's errors as the API's usual answers: 400 with per-field messages, or 404. */
@Catch(RoutingValidationError, RoutingRuleNotFoundError)
export class RoutingErrorsFilter implements ExceptionFilter {
  catch(error: RoutingValidationError | RoutingRuleNotFoundError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (error instanceof RoutingValidationError) {
      res.status(400).json({ statusCode: 400, message: error.message, errors: error.errors });
    } else {
      res.status(404).json({ statusCode: 404, message: error.message });
    }
  }
}
