import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfigFromEnv } from '../config.ts';
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
  const rows = parseLabelledTsv(await readFile(file, 'utf8'));
  const result = await evaluate(await understander(), rows, options);
  process.stdout.write(`${formatReport(result)}\n`);
  return 0;
}
