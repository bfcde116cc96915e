import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import pino from 'pino';
import { createApp } from '../app.ts';
import type { PublicActivity } from '../bot/publicActivity.ts';
import { loadConfigFromEnv } from '../config.ts';
import { CodedError } from '../errors.ts';
import { createLogger } from '../log/logger.ts';

const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.pdf': 'application/pdf' };

/**
 * `refundbot chat`: the same assistant in the terminal, through the same gateway as the API.
 * Suggested actions are numbered (answer with the number); `/attach FILE [text]` sends proof;
 * `/quit` ends.
 */
export async function chat(options: { input: Readable; output: Writable }): Promise<number> {
  const config = loadConfigFromEnv();
  // Logs go to stderr, and routine info lines would drown the conversation in a terminal.
  const level = config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL;
  const app = await createApp(config, { logger: createLogger({ level, destination: pino.destination(2) }) });
  const out = (text: string) => options.output.write(`${text}\n`);
  let actions: string[] = [];
  const show = (activities: PublicActivity[]) => {
    for (const activity of activities) {
      out(`\nassistant> ${activity.text ?? ''}`);
      const summary = (activity.channelData as { case?: Record<string, unknown> } | undefined)?.case;
      if (summary) out(`           [case ${summary.id}: ${summary.status}, ${summary.outcome} ${summary.amount} ${summary.currency}, clauses ${(summary.clauses as string[]).join(', ')}]`);
      const suggested = activity.suggestedActions?.actions ?? [];
      if (suggested.length > 0) {
        actions = suggested.map((action) => action.value);
        suggested.forEach((action, index) => out(`           ${index + 1}. ${action.title}`));
      }
    }
  };

  const { conversationId, token } = await app.gateway.start({ channel: 'cli', locale: 'en' });
  const record = await app.gateway.authenticate(conversationId, token);
  show((await app.gateway.history(record, 0)).activities);
  const lines = createInterface({ input: options.input, terminal: false });
  options.output.write('\nyou> ');
  try {
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '/quit' || line === '/exit') break;
      if (line) {
        try {
          if (line.startsWith('/attach ')) {
            const [file = '', ...words] = line.slice(8).trim().split(/\s+/);
            const bytes = await readFile(file);
            const contentType = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
            show(await app.gateway.send(record, {
              text: words.join(' ') || undefined,
              attachments: [{ contentType, name: path.basename(file), contentUrl: `data:${contentType};base64,${bytes.toString('base64')}` }],
            }));
          } else {
            const picked = /^\d+$/.test(line) ? actions[Number(line) - 1] : undefined;
            show(await app.gateway.send(record, { text: picked ?? line }));
          }
        } catch (error) {
          if (!(error instanceof CodedError) || error.fault !== 'customer') throw error;
          out(`(not sent: ${error.message})`);
        }
      }
      options.output.write('\nyou> ');
    }
  } finally {
    lines.close();
    await app.close();
  }
  out('');
  return 0;
}
