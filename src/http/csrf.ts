import type { FastifyRequest } from 'fastify';
import { InputError } from '../errors.ts';

/**
 * Defence in depth against cross-site request forgery on the staff API's state-changing routes
 * (an `onRequest` hook, so nothing is parsed or changed before it refuses). Browsers never send
 * the bearer token by themselves, but a console page opened by a lured agent must not be usable
 * from another site either. A request is refused (403 `cross_site_request`) when the browser says
 * it comes from another site (`Sec-Fetch-Site: cross-site | same-site`), or when its `Origin` is
 * not this server's own: PUBLIC_URL's origin, or the origin the request's Host names (a browser
 * cannot forge Host; PUBLIC_URL covers a proxy that rewrites it). Requests without these headers
 * (the merchant's systems, the CLI, curl) are not browsers and pass. A body must be JSON (415
 * otherwise): the content types an HTML form or a "simple" cross-origin fetch can send are refused.
 * https://developer.mozilla.org/docs/Web/HTTP/Reference/Headers/Sec-Fetch-Site
 */
export function sameOriginGuard(options: { publicUrl: string | undefined }): (request: FastifyRequest) => Promise<void> {
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;

  const ownOrigin = (origin: string, host: string | undefined): boolean => {
    if (origin === publicOrigin) return true;
    try {
      const url = new URL(origin);
      // The scheme is not compared: behind a TLS-terminating proxy this server sees plain HTTP.
      return host !== undefined && url.origin === origin && url.host === host.toLowerCase();
    } catch {
      return false; // `null` (sandboxed frames, privacy-sensitive redirects) and garbage
    }
  };

  return async (request) => {
    const site = request.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      throw new InputError('cross_site_request', 'staff actions are accepted from this server’s own pages only', 403);
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !ownOrigin(origin, request.headers.host)) {
      throw new InputError('cross_site_request', 'staff actions are accepted from this server’s own pages only', 403);
    }
    if (hasBody(request) && !isJson(request.headers['content-type'])) {
      throw new InputError('unsupported_media_type', 'send the body as application/json', 415);
    }
  };
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}
