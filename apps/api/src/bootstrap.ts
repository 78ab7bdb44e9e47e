import { existsSync } from 'node:fs';
import { type Server } from 'node:http';
import { join } from 'node:path';
import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type NextFunction, raw, type Request, type Response } from 'express';
import helmet from 'helmet';
import { SwaggerModule } from '@nestjs/swagger';
import { invalidInput, rootLogger } from '@inbox/common';
import { loadAppConfig } from '@inbox/config';
import { ApiModule } from './api.module';
import { DomainErrorFilter } from './errors/domain-error.filter';
import { SafeTextPipe } from './errors/safe-text.pipe';
import { validationErrors } from './errors/validation-messages';
import { openApiDocument } from './openapi/openapi-document';
import { publicPagesDir, publicPagesMiddleware } from './public-site/public-pages';

const KEEP_ALIVE_MS = 65_000;

/** Builds the HTTP app (used by main and by the tests): validation, OpenAPI, static pages. */
export async function createApiApp(): Promise<INestApplication> {
  // Validated before Nest starts, so a bad setting stops the boot and the log level holds from the first line.
  const config = loadAppConfig();
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, {
    logger: rootLogger.child('api'),
    // Webhook connectors verify and parse the exact bytes (a BOM, broken UTF-8).
    rawBody: true,
  });
  // The client's address (sign-in lock-outs and rate limits count by it): the connection's unless TRUST_PROXY
  // names the proxies in front of us, whose X-Forwarded-For is then believed that far and no further.
  app.set('trust proxy', config.trustProxy);
  // An idle kept-alive connection outlives the client's and the proxy's (nginx 60 s, fetch 4 s): with Node's
  // 5 s the server could close one just as a client sent on it, and that request failed with ECONNRESET / 502.
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  app.use(securityHeaders());
  // Webhooks get their bytes untouched, whatever they are: past the channel's secret, a body we cannot read is
  // kept for staff by the connector, not refused by a JSON parser before it (issue 13).
  app.use('/api/v1/webhooks', raw({ type: () => true, limit: '1mb' }));
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });
  app.useGlobalPipes(
    new SafeTextPipe(),
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      exceptionFactory: (errors) => invalidInput('Некорректный запрос', validationErrors(errors)),
    }),
  );
  app.useGlobalFilters(new DomainErrorFilter());
  // The citizens' pages: rendered from one layout (apps/api/pages), their scripts and styles as files.
  const pagesDir = publicPagesDir();
  if (pagesDir) app.use(publicPagesMiddleware(pagesDir));
  const publicDir = [
    join(__dirname, '..', 'public'),
    join(__dirname, '..', '..', '..', '..', 'apps', 'api', 'public'),
  ].find((dir) => existsSync(join(dir, 'styles.css')));
  if (publicDir) app.useStaticAssets(publicDir, { index: false });
  serveStaffWorkspace(app);
  // Off in production unless API_DOCS=public (AppConfig.apiDocs says why): then /api/docs is a 404 like any path.
  if (config.apiDocs) {
    SwaggerModule.setup('api/docs', app, openApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
  }
  app.enableShutdownHooks();
  return app;
}

/**
 * The staff workspace (apps/web, built by `npm run build:web`) at /app/: hashed assets cached for good,
 * any other /app/* path answered with index.html so the client-side router can take it.
 */
function serveStaffWorkspace(app: NestExpressApplication): void {
  const webDir = [
    join(__dirname, '..', '..', 'web', 'dist'),
    join(__dirname, '..', '..', '..', '..', 'apps', 'web', 'dist'),
  ].find((dir) => existsSync(join(dir, 'index.html')));
  if (!webDir) return;
  const index = join(webDir, 'index.html');
  app.useStaticAssets(webDir, {
    prefix: '/app/',
    index: false,
    setHeaders: (res, path) =>
      res.setHeader(
        'Cache-Control',
        path.includes(`${join('dist', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      ),
  });
  app.use('/app', (req: Request, res: Response, next: NextFunction) => {
    // A missing asset is a 404, not the page.
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/assets/')) return next();
    if (req.originalUrl === '/app') return res.redirect(301, '/app/');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}

/**
 * Headers on every answer (helmet): nosniff, no framing anywhere (clickjacking of the rating page or the
 * workspace), no referrer (the status and rating pages carry a code in their address), and a Content-Security-Policy
 * that loads nothing from another origin and forbids plugins, a <base> that would redirect our relative scripts,
 * forms posting elsewhere and framing.
 * The API docs (Swagger UI) get the same but the policy; a served file sets its stricter sandbox over this one
 * (files/send-file.ts).
 */
function securityHeaders() {
  const common = {
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  } as const;
  const withPolicy = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        // Our origin only: nothing to load from or leak to elsewhere. Scripts are our files only — no inline
        // script, handler or eval — so a citizen's text that ever reached the DOM as markup could not run.
        // Styles may be inline (Mantine writes them); pictures may be the blob: URLs of attachment previews.
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  const withoutPolicy = helmet({ ...common, contentSecurityPolicy: false });
  return (req: Request, res: Response, next: NextFunction) => {
    // The API's answers carry appeals, applicants and tokens: never kept in a browser's or a proxy's cache (a
    // shared computer of a service centre kept the cards a clerk had opened). A served file sets its own.
    if (req.path.startsWith('/api/v1/')) res.setHeader('Cache-Control', 'no-store');
    return (req.path === '/api/docs' || req.path.startsWith('/api/docs/') ? withoutPolicy : withPolicy)(
      req,
      res,
      next,
    );
  };
}
