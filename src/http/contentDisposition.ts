/**
 * `attachment` with the file's name: an ASCII fallback plus the UTF-8 name (RFC 6266, RFC 8187),
 * since names are often Chinese and a header may only carry Latin-1.
 */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
