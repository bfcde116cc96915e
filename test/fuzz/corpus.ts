import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { PNG_SIGNATURE, pngChunk } from '../support/png.ts';

/**
 * Hand-written hostile inputs the generators mix into requests: strings no honest client sends,
 * malformed and explosive JSON and XML, files that lie about what they are. Builders, not
 * constants, where the value is large: nothing big stays in memory between requests.
 */

/** Strings that break naive code: control and direction characters, encodings, injections. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'order\u0000100101',
  '\u202Eevil.exe\u202Cgpj.jpg',
  '\u200B\u200C\u200D\uFEFF',
  '\uD800',
  '\uDFFF\uD800',
  '\uFFFF\uFFFE',
  '𝕽𝖊𝖋𝖚𝖓𝖉 🙃🔥',
  '退款订单100101，我的邮箱 lilei@example.com',
  'a\r\nSet-Cookie: session=stolen',
  '\r\n\r\n<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  "' OR 1=1; DROP TABLE cases; --",
  '"; rm -rf / #',
  '${jndi:ldap://127.0.0.1:1/a}',
  '{{constructor.constructor("return process")()}}',
  '%s%s%s%n%x',
  '__proto__',
  'constructor',
  'prototype',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%252e%252e%252fetc%252fpasswd',
  '..%c0%af..%c0%afetc%c0%afpasswd',
  '..%5c..%5cboot.ini',
  '\\\\?\\C:\\Windows\\System32\\config\\SAM',
  'CON',
  'photo.jpg\u0000.exe',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  '-1',
  '1e309',
  'NaN',
  '9'.repeat(400),
  '0x7fffffffffffffff',
  'A'.repeat(5000),
];

/** File names that try to escape a folder, hide an extension or break a header. */
export const HOSTILE_FILE_NAMES: readonly string[] = [
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\system32\\drivers\\etc\\hosts',
  '/etc/shadow',
  'C:\\boot.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%252f..%252fetc%252fpasswd',
  '..%c0%af..%c0%afetc',
  '....//....//etc/passwd',
  'photo.jpg\u0000.html',
  'invoice\u202Efdp.exe',
  'a\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>.jpg',
  'name"; filename*=UTF-8\'\'evil.html',
  '"quoted".jpg',
  '.htaccess',
  'CON.jpg',
  'photo.jpg ',
  ' ',
  '',
  '.',
  '..',
  `${'a'.repeat(999)}.jpg`,
  '照片.jpg',
  '🙃.png',
];

/** The first bytes of each accepted type, as the bytes sniffers look for. */
const JPEG_START = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
const JPEG_END = Buffer.from([0xff, 0xd9]);

/** A PNG declaring `width`×`height` pixels whose IDAT inflates to `inflated` zero bytes (a decompression bomb). */
export function pngBomb(width = 100_000, height = 100_000, inflated = 8 * 1024 * 1024): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateRawSync(Buffer.alloc(inflated))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A zip archive of one stored-as-deflate member (local header, data, central directory). */
export function zipOf(name: string, content: Buffer): Buffer {
  const data = deflateRawSync(content);
  const nameBytes = Buffer.from(name, 'utf8');
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length >>> 0, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length >>> 0, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + nameBytes.length, 12);
  end.writeUInt32LE(30 + nameBytes.length + data.length, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

/** Hostile files: polyglots, bombs and disguises. Each says what a sniffer should make of it. */
export interface HostileFile {
  name: string;
  /** What the file claims to be (the attachment's declared type). */
  declared: string;
  bytes: () => Buffer;
}

/** Makes the bytes once, on first use (some take a moment to build). */
function once(build: () => Buffer): () => Buffer {
  let bytes: Buffer | undefined;
  return () => (bytes ??= build());
}

const HTML = Buffer.from('<html><body><script>fetch("/v1/cases").then(r=>r.text()).then(alert)</script></body></html>');

export const HOSTILE_FILES: readonly HostileFile[] = [
  { name: 'photo.jpg', declared: 'image/jpeg', bytes: once(() => Buffer.concat([JPEG_START, HTML, JPEG_END])) },
  { name: 'photo.jpg', declared: 'image/jpeg', bytes: once(() => Buffer.concat([JPEG_START, JPEG_END, zipOf('payload.js', Buffer.from('alert(1)'))])) },
  { name: 'image.png', declared: 'image/png', bytes: once(() => Buffer.concat([PNG_SIGNATURE, Buffer.from('<script>alert(document.cookie)</script>')])) },
  { name: 'huge.png', declared: 'image/png', bytes: once(() => pngBomb()) },
  { name: 'photo.jpg', declared: 'image/jpeg', bytes: once(() => gzipSync(Buffer.alloc(8 * 1024 * 1024))) },
  { name: 'photo.jpg', declared: 'image/jpeg', bytes: once(() => zipOf('bomb.bin', Buffer.alloc(16 * 1024 * 1024))) },
  { name: 'scan.pdf', declared: 'application/pdf', bytes: once(() => Buffer.from('%PDF-1.7\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF')) },
  { name: 'photo.gif', declared: 'image/jpeg', bytes: once(() => Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')) },
  { name: 'vector.svg', declared: 'image/png', bytes: once(() => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')) },
  { name: 'setup.exe', declared: 'image/jpeg', bytes: once(() => Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510)])) },
  { name: 'page.html', declared: 'image/webp', bytes: once(() => HTML) },
  { name: 'empty.jpg', declared: 'image/jpeg', bytes: once(() => Buffer.alloc(0)) },
  { name: 'truncated.jpg', declared: 'image/jpeg', bytes: once(() => Buffer.from([0xff, 0xd8])) },
  { name: 'webp.webp', declared: 'image/webp', bytes: once(() => Buffer.from('RIFF\xff\xff\xff\xffWEBPVP8 ', 'latin1')) },
];

/** Files at and just over the 10 MiB limit: slow to send, so picked rarely. */
export const BIG_FILES: readonly HostileFile[] = [
  { name: 'max.jpg', declared: 'image/jpeg', bytes: once(() => padJpeg(10 * 1024 * 1024)) },
  { name: 'over.jpg', declared: 'image/jpeg', bytes: once(() => padJpeg(10 * 1024 * 1024 + 1)) },
];

/** A JPEG of exactly `size` bytes (start, filler, end). */
export function padJpeg(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  JPEG_START.copy(bytes);
  JPEG_END.copy(bytes, size - 2);
  return bytes;
}

/** Malformed or explosive JSON documents, as raw bytes. */
export const HOSTILE_JSON: readonly (() => Buffer)[] = [
  () => Buffer.from('{"type":"message","text":"unclosed'),
  () => Buffer.from('{"type":"message",}'),
  () => Buffer.from("{'type':'message'}"),
  () => Buffer.from('{"type":"message","text":NaN}'),
  () => Buffer.from('{"type":"message","text":"a"}{"type":"message"}'),
  () => Buffer.from('{"__proto__":{"isAdmin":true,"polluted":"yes"},"type":"message","text":"hi"}'),
  () => Buffer.from('{"constructor":{"prototype":{"polluted":"yes"}},"type":"message","text":"hi"}'),
  () => Buffer.from('{"type":"message","type":"event","text":"duplicate keys"}'),
  () => Buffer.from('{"type":"message","text":"\\ud800\\udc00\\ud800"}'),
  () => Buffer.from('{"type":"message","text":"\\u0000\\u202e"}'),
  () => Buffer.from('{"type":"message","value":1e999999,"text":"x"}'),
  () => Buffer.from('{"type":"message","value":-0,"text":"x","locale":"en"}'),
  () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"type":"message","text":"bom"}')]),
  () => Buffer.from('{"type":"message","text":"caf\u00e9"}', 'utf16le'),
  () => Buffer.concat([Buffer.from('{"type":"message","text":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80]), Buffer.from('"}')]),
  () => Buffer.from('[]'),
  () => Buffer.from('null'),
  () => Buffer.from('"message"'),
  () => Buffer.from('12345678901234567890123456789'),
  () => Buffer.from(''),
  () => Buffer.from(' \n\t '),
  () => deepArray(100_000),
  () => deepObject(100_000),
  () => Buffer.from(`{"type":"message","text":"hi","value":${deepArray(50_000).toString()}}`),
  () => Buffer.from(`{"type":"message","text":"hi","value":${deepObject(50_000).toString()}}`),
  () => Buffer.from(`{"type":"message","text":"hi","value":${deepObject(2_000).toString()}}`),
  () => Buffer.from(`{"type":"message","text":"hi","value":{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(',')}}}`),
  () => Buffer.from(`{"type":"message","text":"${'\\"'.repeat(100_000)}"}`),
];

/** `[[[…]]]`, `depth` levels. */
export function deepArray(depth: number): Buffer {
  return Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
}

/** `{"a":{"a":…1…}}`, `depth` levels. */
export function deepObject(depth: number): Buffer {
  return Buffer.from(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** Malformed or explosive XML documents: entity expansion, external entities, depth, encodings. */
export const HOSTILE_XML: readonly (() => string | Buffer)[] = [
  () =>
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">' +
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">' +
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">' +
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>' +
    '<xml><ToUserName>gh_x</ToUserName><FromUserName>oLaughs</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>',
  () => '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><FromUserName>oXxe</FromUserName><MsgType>text</MsgType><Content>&xxe;</Content></xml>',
  () => '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd">%remote;]><xml><FromUserName>oXxe</FromUserName><MsgType>text</MsgType></xml>',
  () => '<xml><FromUserName>oUnclosed</FromUserName><MsgType>text</MsgType><Content>hi',
  () => '<xml><FromUserName>a</FromUserName></xml><xml><FromUserName>b</FromUserName></xml>',
  () => '<xml><FromUserName><![CDATA[a]]]]><![CDATA[>]]></FromUserName><MsgType>text</MsgType><Content><![CDATA[</Content>]]></Content></xml>',
  () => '<xml><__proto__><polluted>yes</polluted></__proto__><constructor>x</constructor><FromUserName>oProto</FromUserName><MsgType>text</MsgType><Content>hi</Content></xml>',
  () => '<xml><FromUserName>o1</FromUserName><FromUserName>o2</FromUserName><MsgType>text</MsgType><Content>dup</Content></xml>',
  () => `<xml>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</xml>`,
  () => `${'<a>'.repeat(20_000)}`,
  () => `<xml ${Array.from({ length: 20_000 }, (_, i) => `a${i}="${i}"`).join(' ')}><FromUserName>o</FromUserName></xml>`,
  () => `<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>${'&amp;'.repeat(100_000)}</Content></xml>`,
  () => `<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>${'A'.repeat(900_000)}</Content><MsgId>9</MsgId></xml>`,
  () => '<?xml version="1.0" encoding="UTF-16"?><xml><FromUserName>o</FromUserName></xml>',
  () => Buffer.concat([Buffer.from('<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from('</Content></xml>')]),
  () => Buffer.from('<xml><FromUserName>o</FromUserName></xml>', 'utf16le'),
  () => '<?xml-stylesheet href="http://127.0.0.1:1/x.xsl"?><xml><FromUserName>o</FromUserName></xml>',
  () => '<xml><!-- -- --><FromUserName>o</FromUserName></xml>',
  () => '<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>&#0;&#xD800;&#x110000;</Content></xml>',
  () => '<xml/>',
  () => '<xml></xml>',
  () => '<!DOCTYPE html><html><body>not xml</body></html>',
  () => '{"xml":{"FromUserName":"o","MsgType":"text"}}',
  () => '',
];
