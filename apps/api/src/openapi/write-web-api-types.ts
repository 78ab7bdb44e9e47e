import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { previewOpenApiDocument } from './openapi-document';
import { WEB_API_TYPES_PATH, webApiTypes } from './web-api-types';

/** `npm run api:types`: regenerates apps/web/src/api/schema.gen.ts from the controllers' OpenAPI metadata. */
async function main(): Promise<void> {
  const document = await previewOpenApiDocument();
  const target = join(process.cwd(), WEB_API_TYPES_PATH);
  writeFileSync(target, webApiTypes(document));
  process.stdout.write(`${WEB_API_TYPES_PATH}: ${Object.keys(document.paths).length} paths\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
