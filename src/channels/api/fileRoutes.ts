import { contentDisposition } from '../../http/contentDisposition.ts';
import type { FastifyPluginAsync } from 'fastify';
import type { ConversationGateway } from '../../bot/conversationGateway.ts';
import { InputError } from '../../errors.ts';
import type { EvidenceStore } from '../../stores/ports.ts';
import { bearerToken } from './auth.ts';

/** Evidence ids are SHA-256 hex digests of the bytes. */
const EVIDENCE_ID = /^[0-9a-f]{64}$/;

/**
 * `GET /v1/conversations/{id}/files/{evidenceId}`: a file of the conversation (an agent's
 * attachment, or the customer's own proof) for the customer, with the conversation's token — in
 * the `Authorization` header, or `access_token` where a page can only follow a link. The file
 * must appear in THIS conversation's transcript: evidence is stored by content hash, shared by
 * all conversations, so the id alone must never be enough to read another customer's file.
 * Anything else answers 404, the same as an id that does not exist.
 */
export function fileRoutes(options: { gateway: ConversationGateway; evidence: EvidenceStore }): FastifyPluginAsync {
  const { gateway, evidence } = options;
  return async (app) => {
    app.get('/v1/conversations/:id/files/:evidenceId', async (request, reply) => {
      const { id, evidenceId } = request.params as { id: string; evidenceId: string };
      const record = await gateway.authenticate(id, bearerToken(request, { allowQuery: true }));
      const notFound = new InputError('file_not_found', 'no such file in this conversation', 404);
      if (!EVIDENCE_ID.test(evidenceId)) throw notFound;
      const { activities } = await gateway.history(record, 0);
      // The name the conversation showed: the store keeps the first upload's name for these bytes.
      const shown = activities.flatMap((activity) => activity.attachments ?? []).findLast((attachment) => attachment.evidenceId === evidenceId);
      if (!shown) throw notFound;
      const file = await evidence.get(evidenceId);
      if (!file) throw notFound;
      // The type comes from the bytes (checked when stored); nosniff, attachment and a sandbox
      // keep a browser from running a file as a page of this origin.
      return reply
        .type(file.ref.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', contentDisposition(shown.name || file.ref.name))
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(file.bytes));
    });
  };
}
