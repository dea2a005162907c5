import type { FastifyInstance } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The HTTP hardening settings of an API (CommonConfig: CORS_ORIGINS, HSTS_MAX_AGE_SECONDS, TRUSTED_PROXIES). */
export interface HttpSecurityOptions {
  /** Browser origins allowed by CORS; empty: no CORS headers, so browsers keep to same-origin. */
  readonly corsOrigins: readonly string[];
  /** Strict-Transport-Security max-age; 0: not sent. */
  readonly hstsMaxAgeSeconds: number;
  /** Proxies whose X-Forwarded-For is believed (Fastify trustProxy); empty: the socket peer is the client. */
  readonly trustedProxies: readonly string[];
  /** Cache-Control set on answers that did not set their own (the ingest: `no-store`); undefined: left alone. */
  readonly defaultCacheControl?: string;
}

export const httpSecurityOf = (
  config: { CORS_ORIGINS: readonly string[]; HSTS_MAX_AGE_SECONDS: number; TRUSTED_PROXIES: readonly string[] },
  defaultCacheControl?: string,
): HttpSecurityOptions => ({
  corsOrigins: config.CORS_ORIGINS,
  hstsMaxAgeSeconds: config.HSTS_MAX_AGE_SECONDS,
  trustedProxies: config.TRUSTED_PROXIES,
  defaultCacheControl,
});

/** Defaults when an app is created without settings (tests that do not care): no CORS, HSTS 180 days. */
export const DEFAULT_HTTP_SECURITY: HttpSecurityOptions = { corsOrigins: [], hstsMaxAgeSeconds: 15_552_000, trustedProxies: [] };

/** JSON answers load nothing and may be framed by nobody. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** The OpenAPI UI (/docs) loads its own scripts and styles (and an inline <style>). */
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Security headers on every answer (errors and 404s included): nosniff, no referrer, a CSP that
 * forbids everything for JSON, framing denied, HSTS when configured. Cache-Control is only set
 * where the route set none and `defaultCacheControl` is given, so the query-api's cache headers
 * are untouched. CORS (from an allow-list) answers preflights before any route or guard.
 */
export const applyHttpSecurity = (app: NestFastifyApplication, options: HttpSecurityOptions): void => {
  if (options.corsOrigins.length > 0) {
    app.enableCors({
      origin: [...options.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: ['Retry-After', 'Idempotent-Replayed', 'X-Request-Id'],
      credentials: false,
      maxAge: 600,
    });
  }
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const hsts = options.hstsMaxAgeSeconds > 0 ? `max-age=${options.hstsMaxAgeSeconds}` : undefined;
  const cacheControl = options.defaultCacheControl;
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', request.url.startsWith('/docs') ? DOCS_CSP : API_CSP);
    if (hsts) reply.header('strict-transport-security', hsts);
    if (cacheControl && !reply.hasHeader('cache-control')) reply.header('cache-control', cacheControl);
    done(null, payload);
  });
};
