import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { bearerToken } from '../channels/api/auth.ts';
import { InputError } from '../errors.ts';

/** Checks the staff bearer token (`ADMIN_TOKEN`); without one configured, staff APIs are off (401). */
export function adminGuard(adminToken: string | undefined): (request: FastifyRequest) => void {
  const expected = adminToken ? digest(adminToken) : undefined;
  return (request) => {
    const token = bearerToken(request);
    // Compare digests so the comparison is constant-time whatever the token lengths.
    if (!expected || !token || !timingSafeEqual(digest(token), expected)) {
      throw new InputError('unauthorized', adminToken ? 'missing or wrong admin token' : 'staff APIs are off: set ADMIN_TOKEN', 401);
    }
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
