import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { HelmetOptions } from 'helmet';

type RouteHelmet = Omit<FastifyHelmetOptions, 'global'>;

/**
 * The headers every response carries (helmet, applied in server.ts). Responses that are
 * not pages (JSON, widget.js, files) get a CSP that allows nothing and may be framed by nobody;
 * pages replace the CSP with their own below, downloads with a sandbox (they set it themselves).
 * Helmet's other defaults stay: nosniff, Referrer-Policy no-referrer (signed file links never
 * leak), HSTS (browsers ignore it over plain HTTP), COOP/CORP same-origin (`/widget.js` and
 * signed proof links set their own CORP: cross-origin; the widget's CORS requests are not
 * subject to CORP), no X-Powered-By.
 */
export const SECURITY_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    // Helmet's defaults include upgrade-insecure-requests, which would break plain-HTTP installs.
    useDefaults: false,
    directives: { 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'frame-ancestors': ["'none'"] },
  },
  xFrameOptions: { action: 'deny' },
};

/**
 * The agent console (`/agent`): its inline script and style blocks run by a fresh per-response
 * nonce (helmet adds `'nonce-…'` to script-src and style-src; `withNonces` writes it into the
 * page), so no injected markup can run script. The chart modules come from this host; the page
 * only talks to this host; it is never framed (clickjacking of approve buttons).
 */
export const CONSOLE_PAGE_HEADERS: RouteHelmet = {
  enableCSPNonces: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': [],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    },
  },
};

/**
 * A page a merchant may embed (the demo shop `/`): framed by this host and the widget's
 * origins (WIDGET_ORIGINS, validated as bare origins in config.ts) only. X-Frame-Options cannot
 * name several origins, so it is sent only when no other origin may frame the page; browsers
 * obey frame-ancestors over it anyway. style-src keeps 'unsafe-inline': the widget builds its
 * own <style> element in its shadow root, and a script served to merchants' pages cannot know
 * a page's nonce.
 */
export function embeddablePageHeaders(frameAncestors: readonly string[]): RouteHelmet {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'self'", ...frameAncestors],
      },
    },
    xFrameOptions: frameAncestors.length > 0 ? false : { action: 'sameorigin' },
  };
}

/** The page with this response's nonces on every `<script>` and `<style>` tag (the page is our own static file). */
export function withNonces(page: string, nonce: { script: string; style: string }): string {
  return page.replace(/<(script|style)(?=[\s>])/g, (_tag, name: string) => `<${name} nonce="${name === 'script' ? nonce.script : nonce.style}"`);
}
