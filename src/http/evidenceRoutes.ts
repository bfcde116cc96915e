import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../channels/api/schemas.ts';
import { InputError } from '../errors.ts';
import { contentDisposition } from './contentDisposition.ts';
import type { EvidenceLinks } from '../evidence/signedUrls.ts';
import type { EvidenceStore } from '../stores/ports.ts';

const LinkQuery = z.object({ expires: z.coerce.number().int(), signature: z.string().min(10).max(100) });

/** `GET /v1/evidence/{id}?expires&signature`: a proof file, for holders of a signed link only. */
export function evidenceRoutes(options: { evidence: EvidenceStore; links: EvidenceLinks }): FastifyPluginAsync {
  const { evidence, links } = options;
  return async (app) => {
    app.get('/v1/evidence/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      const query = parseBody(LinkQuery, request.query);
      if (!links.verify(id, query.expires, query.signature)) throw new InputError('link_invalid', 'this link is invalid or has expired', 403);
      const file = await evidence.get(id);
      if (!file) throw new InputError('evidence_not_found', 'no such file', 404);
      // The type comes from the bytes (checked at upload); nosniff, attachment and a sandbox
      // keep a browser from treating a file as anything else. The signed link is the
      // credential, so other sites may embed it: Web Chat shows an agent's image from it.
      return reply
        .type(file.ref.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', contentDisposition(file.ref.name))
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('cache-control', 'private, max-age=300')
        .send(Buffer.from(file.bytes));
    });
  };
}
