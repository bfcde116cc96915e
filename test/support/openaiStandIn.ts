import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat completion request as the client sent it (the fields the tests look at). */
export interface ChatRequest {
  model: string;
  messages: { role: string; content: string | null | { type: string; text?: string }[] }[];
  tools?: { type: string; function: { name: string; parameters: unknown } }[];
  tool_choice?: unknown;
  response_format?: unknown;
  /** The bearer token the request carried. */
  apiKey: string | undefined;
}

/** How the stand-in answers one request. */
export type ScriptedReply =
  /** A tool call (structured output by function calling) with these arguments (object: JSON-encoded; string: sent as is, e.g. malformed). */
  | { tool: unknown; delayMs?: number; usage?: { prompt: number; completion: number } }
  /** Plain assistant text (json_schema structured output puts its JSON here). */
  | { content: string; delayMs?: number; usage?: { prompt: number; completion: number } }
  /** The model refused (`message.refusal`). */
  | { refusal: string; delayMs?: number }
  /** An HTTP error with OpenAI's error body (429 rate limit, 500…). */
  | { status: number; message?: string; delayMs?: number };

/**
 * An OpenAI-compatible server on 127.0.0.1 (what vLLM, Ollama, Azure OpenAI and the Qwen and
 * DeepSeek endpoints expose): `POST /v1/chat/completions` answered with the real response shapes
 * of https://platform.openai.com/docs/api-reference/chat/object — tool calls, refusals, usage —
 * and errors as `{ error: { message, type, code } }`. Each request is answered by `script`, and
 * recorded (so tests can check what left for the model, and that nothing did).
 */
export class OpenAIStandIn {
  readonly requests: ChatRequest[] = [];
  script: (request: ChatRequest) => ScriptedReply = () => ({ status: 500, message: 'no script' });
  #server: Server | undefined;
  #pending = new Set<NodeJS.Timeout>();
  #calls = 0;

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      void (async () => {
        if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
          response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
          return;
        }
        const body = JSON.parse(await readBody(request)) as Omit<ChatRequest, 'apiKey'>;
        const chat: ChatRequest = { ...body, apiKey: request.headers.authorization?.replace(/^Bearer /, '') };
        this.requests.push(chat);
        const reply = this.script(chat);
        const send = () => this.#answer(response, chat, reply);
        if (reply.delayMs) {
          const timer = setTimeout(() => {
            this.#pending.delete(timer);
            send();
          }, reply.delayMs);
          this.#pending.add(timer);
        } else send();
      })();
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  /** The base URL to give as OPENAI_BASE_URL (with /v1, as OpenAI's). */
  get url(): string {
    return `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}/v1`;
  }

  #answer(response: import('node:http').ServerResponse, chat: ChatRequest, reply: ScriptedReply): void {
    if (response.destroyed) return;
    if ('status' in reply) {
      const type = reply.status === 429 ? 'rate_limit_exceeded' : reply.status >= 500 ? 'server_error' : 'invalid_request_error';
      response.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.status === 429 ? { 'retry-after': '1' } : {}) });
      response.end(JSON.stringify({ error: { message: reply.message ?? type, type, param: null, code: type } }));
      return;
    }
    this.#calls += 1;
    // Without scripted usage, an estimate as tokenizers roughly count: a token per 4 characters.
    const promptChars = JSON.stringify(chat.messages).length + JSON.stringify(chat.tools ?? []).length;
    const answerChars = 'tool' in reply ? JSON.stringify(reply.tool).length : 'content' in reply ? reply.content.length : 0;
    const usage = 'usage' in reply && reply.usage ? reply.usage : { prompt: Math.ceil(promptChars / 4), completion: Math.ceil(answerChars / 4) };
    const toolName = chat.tools?.[0]?.function.name ?? 'extract';
    const message =
      'tool' in reply
        ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: `call_${this.#calls}`, type: 'function', function: { name: toolName, arguments: typeof reply.tool === 'string' ? reply.tool : JSON.stringify(reply.tool) } }] }
        : 'refusal' in reply
          ? { role: 'assistant', content: null, refusal: reply.refusal }
          : { role: 'assistant', content: reply.content, refusal: null };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: `chatcmpl-standin${this.#calls}`,
        object: 'chat.completion',
        created: 1_763_640_000 + this.#calls,
        model: chat.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: 'tool' in reply ? 'tool_calls' : 'stop' }],
        usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
        system_fingerprint: 'fp_standin',
      }),
    );
  }

  async close(): Promise<void> {
    for (const timer of this.#pending) clearTimeout(timer);
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
