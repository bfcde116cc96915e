import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfigFromEnv } from '../config.ts';
import { InputError } from '../errors.ts';
import { createOfflineUnderstander } from '../understanding/offline.ts';
import { runClassify } from './classify.ts';
import { evaluate, formatReport, parseLabelledTsv } from './eval.ts';

async function understander() {
  const config = loadConfigFromEnv();
  return createOfflineUnderstander({ knowledgeDir: config.knowledgeDir, cacheDir: path.join(config.dataDir, 'cache') });
}

/** `refundbot classify`: JSON lines in, JSON lines out (SPEC §7). */
export async function classifyCommand(): Promise<number> {
  await runClassify({ understander: await understander(), input: process.stdin, output: process.stdout });
  return 0;
}

/** `refundbot eval FILE [--intent]`: scores the classifier on a labelled TSV. */
export async function evalCommand(file: string, options: { intent: boolean }): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError('file_unreadable', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const rows = parseLabelledTsv(text);
  const result = await evaluate(await understander(), rows, options);
  process.stdout.write(`${formatReport(result)}\n`);
  return 0;
}
