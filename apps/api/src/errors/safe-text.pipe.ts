import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { invalidInput, nestedDeeperThan, unsafeTextPaths } from '@inbox/common';

const MESSAGE = 'Недопустимые символы в запросе (нулевой символ или непарный суррогат)';
const TOO_DEEP = 'Слишком глубокая вложенность данных в запросе';
/** Far more than any request of ours nests (a routing rule, an article's parts: a few levels). */
const MAX_DEPTH = 32;

/**
 * Global, before validation: a body, query, path parameter or header value carrying a NUL character or a lone
 * surrogate is refused as `invalid-input` naming each field, whatever the endpoint (the form's multipart
 * fields and file names too: pipes run after Multer has parsed them). A value nested deeper than any request of
 * ours is refused too, before validation walks it.
 */
@Injectable()
export class SafeTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (nestedDeeperThan(value, MAX_DEPTH)) throw invalidInput(TOO_DEEP);
    const paths = unsafeTextPaths(value, metadata.data ?? '');
    if (paths.length > 0) {
      throw invalidInput(MESSAGE, Object.fromEntries(paths.slice(0, 20).map((p) => [p, MESSAGE])));
    }
    return value;
  }
}
