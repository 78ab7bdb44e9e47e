import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ApiModule } from '../api.module';

/** The api's OpenAPI document: served at /api/docs-json and the source of the web client's types. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Единый центр обращений граждан — API')
      .setDescription('Обращения, сообщения и их сроки; публичная форма; служебный API')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
}

/**
 * The same document without a database, Redis or configuration: Nest's preview mode resolves the module
 * graph and the controllers' metadata but instantiates no provider, so nothing connects anywhere.
 */
export async function previewOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(ApiModule, { preview: true, logger: false, abortOnError: false });
  try {
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}
