import type { FastifyRequest } from 'fastify';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * The bearer token of a request: the `Authorization` header, or, where a client cannot set
 * headers (a browser's EventSource), the `access_token` query parameter (RFC 6750 §2.3).
 */
export function bearerToken(request: FastifyRequest, options: { allowQuery?: boolean } = {}): string | undefined {
  const header = BEARER.exec(request.headers.authorization ?? '')?.[1];
  if (header || !options.allowQuery) return header;
  const query = (request.query as { access_token?: unknown } | undefined)?.access_token;
  return typeof query === 'string' && query.length > 0 ? query : undefined;
}
