import { applyDecorators } from '@nestjs/common';

/**
 * Property decorators applied as if written one above the other on the property: the last first, so
 * class-validator reports a value's problems in the same order (the api shows the first).
 */
export function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...decorators.reverse());
}
