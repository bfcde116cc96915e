/** Longest stored file name, in characters (code points), extension included. */
export const MAX_FILE_NAME_LENGTH = 100;

const FALLBACK_BASE = 'evidence';

/**
 * Turns a client-declared file name into one that is safe to store, log and show to an agent:
 * only the last path segment is kept (`../../etc/passwd.png` → `passwd.png`), control and
 * invisible formatting characters (which can fake an extension with a right-to-left override)
 * are removed, characters Windows forbids become `_`, leading dots go, the length is capped,
 * and the extension always matches the type sniffed from the bytes (`x.exe` holding a PNG
 * becomes `x.exe.png`). `extensions` are the type's extensions, the first canonical.
 */
export function sanitizeFileName(declared: string, extensions: readonly string[]): string {
  const canonical = extensions[0] ?? 'bin';
  let name = String(declared)
    .toWellFormed()
    .normalize('NFC')
    // Whitespace controls (tab, line breaks) separate words: keep them as a space.
    .replace(/[\t\n\v\f\r\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '');
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = trimDotsAndSpaces(name.replace(/[<>:"|?*]/g, '_').replace(/\s+/gu, ' '));

  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1) : '';
  const keepsExtension = extensions.includes(extension.toLowerCase());
  const base = keepsExtension ? name.slice(0, dot) : name;
  const suffix = keepsExtension ? extension : canonical;

  const room = MAX_FILE_NAME_LENGTH - suffix.length - 1;
  // Cut by code points so an emoji or CJK surrogate pair is never split in half.
  const capped = trimDotsAndSpaces(Array.from(base).slice(0, room).join(''));
  return `${capped || FALLBACK_BASE}.${suffix}`;
}

// Leading dots make hidden files and `..`; trailing dots and spaces are dropped by Windows.
function trimDotsAndSpaces(value: string): string {
  return value.replace(/^[.\s]+|[.\s]+$/gu, '');
}
