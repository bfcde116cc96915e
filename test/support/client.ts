import { expect } from 'vitest';

export interface BotActivity {
  type: string;
  from: { role: string; name?: string };
  text?: string;
  locale?: string;
  suggestedActions?: { actions: { title: string; value: string }[] };
  channelData?: { awaiting?: string; case?: CaseSummary; clauses?: string[] };
  attachments?: { contentType: string; name: string; evidenceId?: string }[];
}

export interface CaseSummary {
  id: string;
  orderId: string;
  category: string;
  outcome: 'full' | 'partial' | 'none' | 'review';
  amount: number;
  currency: string;
  status: string;
  clauses: string[];
}

export interface Attachment {
  contentType: string;
  name: string;
  contentUrl: string;
}

/** A customer talking to the conversation API, as a widget or program would. */
export class Customer {
  readonly url: string;
  conversationId = '';
  token = '';
  /** Every reply received, in order. */
  readonly replies: BotActivity[] = [];

  constructor(url: string) {
    this.url = url;
  }

  async start(locale?: string): Promise<BotActivity[]> {
    const response = await fetch(`${this.url}/v1/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(locale ? { locale } : {}),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { conversationId: string; token: string };
    this.conversationId = body.conversationId;
    this.token = body.token;
    return (await this.history()).activities;
  }

  async history(watermark = 0): Promise<{ activities: BotActivity[]; watermark: number }> {
    const response = await fetch(`${this.url}/v1/conversations/${this.conversationId}/activities?watermark=${watermark}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { activities: BotActivity[]; watermark: number };
  }

  /** Sends a message and returns the assistant's replies (fails the test on a non-200). */
  async say(text: string | undefined, attachments?: Attachment[]): Promise<BotActivity[]> {
    const response = await this.post({ type: 'message', ...(text === undefined ? {} : { text }), ...(attachments ? { attachments } : {}) });
    if (response.status !== 200) throw new Error(`POST activities answered ${response.status}: ${await response.text()}`);
    const { activities } = (await response.json()) as { activities: BotActivity[] };
    this.replies.push(...activities);
    return activities;
  }

  post(body: unknown, token = this.token): Promise<Response> {
    return fetch(`${this.url}/v1/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }
}

/** The question the last reply asks (`channelData.awaiting`), if any. */
export function awaiting(replies: BotActivity[]): string | undefined {
  return replies.at(-1)?.channelData?.awaiting ?? replies.findLast((reply) => reply.channelData?.awaiting)?.channelData?.awaiting;
}

/** The case summary announced in these replies, if any. */
export function announcedCase(replies: BotActivity[]): CaseSummary | undefined {
  return replies.find((reply) => reply.channelData?.case)?.channelData?.case;
}

/** A tiny valid JPEG (SOI, JFIF APP0, EOI) as a data URL. */
export function jpegAttachment(name = 'photo.jpg'): Attachment {
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);
  return { contentType: 'image/jpeg', name, contentUrl: `data:image/jpeg;base64,${bytes.toString('base64')}` };
}
