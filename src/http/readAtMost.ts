/**
 * A fetched response's body, or undefined as soon as it is known to pass `maxBytes` (a larger
 * declared Content-Length, or the bytes read so far): the rest is never read, so a huge or
 * decompression-bomb answer (fetch gunzips as it reads) costs at most `maxBytes` of memory.
 */
export async function readAtMost(response: Response, maxBytes: number): Promise<Buffer | undefined> {
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
