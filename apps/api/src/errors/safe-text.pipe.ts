import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { invalidInput, unsafeTextPaths } from '@inbox/common';

const MESSAGE = 'Недопустимые символы в запросе (нулевой символ или непарный суррогат)';

/**
 * Global, before validation: a body, query, path parameter or header value carrying a NUL character or a lone
 * surrogate is refused as `invalid-input` naming each field, whatever the endpoint (the form's multipart
 * fields and file names too: pipes run after Multer has parsed them).
 */
@Injectable()
export class SafeTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const paths = unsafeTextPaths(value, metadata.data ?? '');
    if (paths.length > 0) {
      throw invalidInput(MESSAGE, Object.fromEntries(paths.slice(0, 20).map((p) => [p, MESSAGE])));
    }
    return value;
  }
}
