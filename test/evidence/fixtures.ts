// Tiny but real files, built in the test: the smallest valid image of each format (1×1 pixel)
// and a one-page PDF, plus files that must be refused.

const fromBase64 = (base64: string): Uint8Array => new Uint8Array(Buffer.from(base64, 'base64'));

/** A 1×1 baseline JPEG (JFIF). */
export const JPEG = fromBase64(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
);

/** A 1×1 RGBA PNG. */
export const PNG = fromBase64(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
);

/** A 1×1 lossless WebP. */
export const WEBP = fromBase64('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==');

/** A one-page PDF. */
export const PDF = new TextEncoder().encode(
  '%PDF-1.4\n' +
    '1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
    '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/MediaBox[0 0 3 3]/Parent 2 0 R>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n',
);

/** The start of a Windows executable: `MZ` DOS header pointing at a `PE` header. */
export const EXE = (() => {
  const bytes = Buffer.alloc(128);
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(64, 0x3c);
  bytes.write('PE\0\0', 64, 'latin1');
  return new Uint8Array(bytes);
})();

/** A 1×1 GIF: a real image, but not an accepted proof format. */
export const GIF = new Uint8Array(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'));

/** An SVG: text, so it could carry script; never accepted. */
export const SVG = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

/** `file` followed by zero bytes up to exactly `size` bytes (its signature is kept). */
export function padTo(file: Uint8Array, size: number): Uint8Array {
  const padded = new Uint8Array(size);
  padded.set(file);
  return padded;
}

/** Every accepted fixture with the content type its bytes must be recognised as. */
export const ACCEPTED = [
  { label: 'JPEG', bytes: JPEG, contentType: 'image/jpeg', extension: 'jpg' },
  { label: 'PNG', bytes: PNG, contentType: 'image/png', extension: 'png' },
  { label: 'WebP', bytes: WEBP, contentType: 'image/webp', extension: 'webp' },
  { label: 'PDF', bytes: PDF, contentType: 'application/pdf', extension: 'pdf' },
] as const;
