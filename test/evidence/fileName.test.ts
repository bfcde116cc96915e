import { describe, expect, it } from 'vitest';
import { MAX_FILE_NAME_LENGTH, sanitizeFileName } from '../../src/evidence/fileName.ts';

const PNG = ['png'];
const JPEG = ['jpg', 'jpeg'];

describe('sanitizeFileName', () => {
  it.each([
    ['photo.png', PNG, 'photo.png'],
    ['../../etc/passwd.png', PNG, 'passwd.png'],
    ['C:\\Users\\li\\Desktop\\broken.png', PNG, 'broken.png'],
    ['dir/sub\\mixed/name.png', PNG, 'name.png'],
    ['IMG_2041.JPEG', JPEG, 'IMG_2041.JPEG'],
    ['scan.jpg', JPEG, 'scan.jpg'],
    ['x.exe', PNG, 'x.exe.png'],
    ['invoice', PNG, 'invoice.png'],
    ['.htaccess', PNG, 'htaccess.png'],
    ['..', PNG, 'evidence.png'],
    ['', PNG, 'evidence.png'],
    ['   ', PNG, 'evidence.png'],
    ['.png', PNG, 'png.png'],
    ['a<b>c:d"e|f?g*.png', PNG, 'a_b_c_d_e_f_g_.png'],
    ['bell\u0007\u0000null\u007f\u009b.png', PNG, 'bellnull.png'],
    ['line\nbreak\r\n.png', PNG, 'line break.png'],
    ['many    spaces\there.png', PNG, 'many spaces here.png'],
    ['trailing dots... .png', PNG, 'trailing dots.png'],
    ['耳机照片.png', PNG, '耳机照片.png'],
  ])('%j → %j', (declared, extensions, expected) => {
    expect(sanitizeFileName(declared, extensions)).toBe(expected);
  });

  it('removes a right-to-left override that would disguise the extension', () => {
    // Shown as "photo‮gnp.exe" → "photoexe.png" on screen; the real extension is exe.
    expect(sanitizeFileName('photo\u202Egnp.exe', PNG)).toBe('photognp.exe.png');
  });

  it('replaces lone surrogates and keeps names NFC-normalised', () => {
    expect(sanitizeFileName('bad\uD800.png', PNG)).toBe('bad\uFFFD.png');
    expect(sanitizeFileName('cafe\u0301.png', PNG)).toBe('caf\u00E9.png');
  });

  it('caps the length, keeping the extension and whole characters', () => {
    const long = sanitizeFileName(`${'a'.repeat(500)}.png`, PNG);
    expect(long).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(long.endsWith('.png')).toBe(true);

    const emoji = sanitizeFileName(`${'😀'.repeat(200)}.png`, PNG);
    expect(Array.from(emoji)).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(emoji.isWellFormed()).toBe(true);
  });
});
