import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';

/** How long an evidence link given to an agent works. */
export const EVIDENCE_LINK_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Signed, expiring links to proof files for agents (a Slack card, the console): the file is
 * served only with a valid signature over its id and expiry, so a link cannot be guessed,
 * altered to another file, or used after it expires.
 */
export class EvidenceLinks {
  readonly #secret: Buffer;
  readonly #baseUrl: string;
  readonly #clock: Clock;

  constructor(options: { secret: string | Buffer; baseUrl: string; clock: Clock }) {
    if (!options.secret || options.secret.length < 16) throw new Error('EvidenceLinks needs a secret of at least 16 bytes');
    this.#secret = Buffer.from(options.secret);
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#clock = options.clock;
  }

  /** An absolute link to the file, valid for `ttlMs`. */
  url(evidenceId: string, ttlMs = EVIDENCE_LINK_TTL_MS): string {
    const expires = this.#clock.now().getTime() + ttlMs;
    return `${this.#baseUrl}/v1/evidence/${evidenceId}?expires=${expires}&signature=${this.#sign(evidenceId, expires)}`;
  }

  /** Whether a presented link is genuine and not expired. */
  verify(evidenceId: string, expires: number, signature: string): boolean {
    if (!Number.isSafeInteger(expires) || expires < this.#clock.now().getTime()) return false;
    const expected = Buffer.from(this.#sign(evidenceId, expires));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  #sign(evidenceId: string, expires: number): string {
    return createHmac('sha256', this.#secret).update(`evidence:${evidenceId}:${expires}`).digest('base64url');
  }
}
