import { applyDecorators, Controller, HttpCode, Post, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@inbox/access';

/**
 * A controller of the staff API: its path, its OpenAPI tag and the bearer token its endpoints need; with
 * `forbidden`, its endpoints may refuse a role (403, said once for all of them).
 */
export function StaffController(
  path: string,
  tag: string,
  options: { forbidden?: boolean } = {},
): ClassDecorator {
  return applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(),
    ...(options.forbidden
      ? [ApiForbiddenResponse({ description: 'Недостаточно прав для этого действия' })]
      : []),
    Controller(path),
  );
}

/** An administrator's action on one thing (POST `path`), answered 200 with the thing as it is now. */
export function AdminAction(path: string, summary: string, type: Type<unknown>): MethodDecorator {
  return applyDecorators(
    Post(path),
    HttpCode(200),
    Roles(Role.Admin),
    ApiOperation({ summary }),
    ApiOkResponse({ type }),
  );
}
