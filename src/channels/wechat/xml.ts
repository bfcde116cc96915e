import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** The fields of a WeChat push we use; every value stays a string (MsgId is 64-bit). */
export interface WeChatPush {
  ToUserName?: string;
  FromUserName?: string;
  CreateTime?: string;
  MsgType?: string;
  Content?: string;
  MsgId?: string;
  MediaId?: string;
  PicUrl?: string;
  Event?: string;
  Recognition?: string;
  Encrypt?: string;
}

const parser = new XMLParser({
  // Values as written: MsgId does not fit a JS number, and "001" must stay "001".
  parseTagValue: false,
  ignoreAttributes: true,
  trimValues: false,
  // No DTDs or entity expansion from the network.
  processEntities: false,
  htmlEntities: false,
});

/** Parses one `<xml>…</xml>` push; undefined when it is not well-formed or not a WeChat push. */
export function parseWeChatXml(text: string): WeChatPush | undefined {
  if (!text.trim() || XMLValidator.validate(text) !== true) return undefined;
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch {
    return undefined;
  }
  const root = (parsed as { xml?: unknown }).xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) return undefined;
  const push: Record<string, string> = {};
  for (const [key, value] of Object.entries(root as Record<string, unknown>)) {
    if (typeof value === 'string') push[key] = value;
  }
  return push as WeChatPush;
}
