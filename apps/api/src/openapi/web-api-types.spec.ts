import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { previewOpenApiDocument } from './openapi-document';
import { WEB_API_TYPES_PATH, webApiTypes } from './web-api-types';

/**
 * The staff workspace's API types are generated from the server's OpenAPI document; this fails when a
 * controller or DTO changed and the committed types were not regenerated (`npm run api:types`).
 */
describe('web client API types', () => {
  it('match the OpenAPI document the controllers describe', async () => {
    const root = join(__dirname, '..', '..', '..', '..');
    const document = await previewOpenApiDocument();
    expect(Object.keys(document.paths)).toContain('/api/v1/appeals/{id}');
    const committed = readFileSync(join(root, WEB_API_TYPES_PATH), 'utf8');
    const generated = webApiTypes(document, root);
    if (committed !== generated) {
      throw new Error(
        `${WEB_API_TYPES_PATH} is out of date with the api's OpenAPI document: run \`npm run api:types\` and commit it`,
      );
    }
  }, 60_000);
});
