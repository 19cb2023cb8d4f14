import type { Server } from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import type { AppConfig } from './core/config/config';
import { genRequestId } from './core/http/logging';

/** The web app's build output, served on the same origin. */
export const WEB_DIST = path.resolve(__dirname, '../../web/dist');

/** The runtime role's pool: statement_timeout on every connection, whatever the role's defaults. */
export function createAppDataSource(appUrl: string, config: AppConfig): DataSource {
  return new DataSource({
    type: 'postgres',
    url: appUrl,
    logging: false,
    poolSize: config.poolSize,
    extra: {
      max: config.poolSize,
      statement_timeout: config.statementTimeoutMs,
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'enclave-api',
    },
  });
}

const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
};

export async function createApp(config: AppConfig, dataSource: DataSource): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, dataSource), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  // An import streams up to millions of rows in one request: Node's default limit of five minutes
  // for receiving a request would cut it off, so the import's own time-out applies instead.
  (app.getHttpServer() as Server).requestTimeout = config.import.timeoutMs;
  // A request id on every answer, also outside the API routes (docs, OpenAPI, unknown paths); on API
  // routes the logger's middleware assigns it again, to the request and the header alike.
  app.use((req: Request & { id?: string }, res: Response, next: NextFunction) => {
    req.id = genRequestId(req, res);
    next();
  });
  app.set('trust proxy', config.trustProxy ?? false);
  app.disable('x-powered-by');
  const headers = (styleSrc: string[]) =>
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { ...CSP_DIRECTIVES, styleSrc } },
      crossOriginEmbedderPolicy: true,
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
      referrerPolicy: { policy: 'no-referrer' },
    });
  const strict = headers(["'self'"]);
  // Swagger UI's page carries inline styles (never inline scripts): only /api/docs relaxes style-src.
  const docs = headers(["'self'", "'unsafe-inline'"]);
  app.use((req: Request, res: Response, next: NextFunction) =>
    req.path === '/api/docs' || req.path.startsWith('/api/docs/') ? docs(req, res, next) : strict(req, res, next),
  );
  app.use(cookieParser());
  app.setGlobalPrefix('api/v1', { exclude: [] });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Enclave API')
      .setDescription('Secure, self-hosted data labelling. Errors: { error: { code, message, details } }.')
      .setVersion('1')
      .addCookieAuth('enclave_session')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API token: enc_…' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/v1/openapi.json',
    yamlDocumentUrl: 'api/v1/openapi.yaml',
    useGlobalPrefix: false,
    customSiteTitle: 'Enclave API',
    // No badge fetched from the public validator: nothing leaves the instance.
    swaggerOptions: { validatorUrl: null },
  });

  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    app.use('/assets', express.static(path.join(WEB_DIST, 'assets'), { immutable: true, maxAge: '365d', index: false }));
    app.use(express.static(WEB_DIST, { index: false, maxAge: 0 }));
    // The single-page app answers every other GET outside /api.
    app.use((req: Request, res: Response, next: NextFunction) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/api/') || req.path === '/api') return next();
      res.setHeader('Cache-Control', 'no-store');
      res.sendFile(path.join(WEB_DIST, 'index.html'));
    });
  }
  return app;
}
