import { applyDecorators, Controller } from '@nestjs/common';
import { ApiExcludeController, ApiTags } from '@nestjs/swagger';
import { PublicEndpoint } from '@inbox/access';

/**
 * A controller whose endpoints anyone may call (no staff token): its path and its OpenAPI tag, or `null` for one
 * the document leaves out (the channels' webhooks). The twin of StaffController.
 */
export function PublicController(path: string, tag: string | null): ClassDecorator {
  return applyDecorators(
    tag === null ? ApiExcludeController() : ApiTags(tag),
    Controller(path),
    PublicEndpoint(),
  );
}
