import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { openOrders, openStores } from '../app.ts';
import { loadConfigFromEnv } from '../config.ts';
import { systemClock } from '../domain/clock.ts';
import { InputError } from '../errors.ts';
import { createLogger } from '../log/logger.ts';
import { CustomerPrivacy, type ErasureReport } from '../privacy/customerData.ts';
import { resolveCustomer } from '../privacy/resolveCustomer.ts';

/**
 * `refundbot privacy export|erase --customer …` (issue 10 §5), on the configured store. The
 * customer is an orders-file customer id, or an email address found in the orders file. A
 * customer neither the orders nor the store know is an error (exit 1).
 */
export async function privacyCommand(args: string[], io: { input: Readable; output: Writable; errors: Writable; interactive: boolean }): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'export' && action !== 'erase') throw new InputError('invalid_option', `privacy: say export or erase, not ${action ?? 'nothing'}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      customer: { type: 'string' },
      out: { type: 'string' },
      'out-dir': { type: 'string' },
      yes: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.customer === undefined) throw new InputError('invalid_option', `privacy ${action}: --customer is required`);
  if (action === 'erase' && (values.out !== undefined || values['out-dir'] !== undefined)) throw new InputError('invalid_option', 'privacy erase: --out and --out-dir belong to export');

  const config = loadConfigFromEnv();
  const clock = systemClock;
  // Logs to stderr, warnings only: the export is the output.
  const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, destination: pino.destination(2) });
  const orders = await openOrders(config, clock, logger);
  const { customerId, known } = await resolveCustomer(values.customer, { orders, clock, ...(config.ORDERS_API_URL ? {} : { ordersFile: config.ordersFile }) });
  const stores = await openStores(config, clock, logger);
  try {
    const privacy = new CustomerPrivacy({ stores, clock });
    const found = await privacy.find(customerId);
    if (!known && found.cases.length === 0 && found.conversationIds.length === 0) {
      throw new InputError('unknown_customer', `no customer ${customerId}: neither the orders nor the store know them`, 404);
    }
    if (action === 'export') {
      const data = await privacy.export(customerId);
      const json = `${JSON.stringify(data, null, 2)}\n`;
      if (values.out === undefined) io.output.write(json);
      else await writeFile(values.out, json);
      if (values['out-dir'] !== undefined) {
        const files = await privacy.writeEvidence(data, values['out-dir']);
        io.errors.write(`${files.length} proof file${files.length === 1 ? '' : 's'} written to ${values['out-dir']}\n`);
      }
      if (values.out !== undefined) io.errors.write(`exported customer ${customerId} to ${values.out}\n`);
      return 0;
    }
    if (!values.yes) {
      const question = `Erase the personal data of customer ${customerId} (${found.conversationIds.length} conversation(s); ${found.cases.length} case(s) kept anonymised)? [y/N] `;
      if (!(await confirm(question, io))) {
        io.errors.write('nothing erased\n');
        return 1;
      }
    }
    const report = await privacy.erase(customerId);
    io.output.write(values.json ? `${JSON.stringify(report)}\n` : `${describe(report)}\n`);
    return 0;
  } finally {
    await stores.close();
  }
}

/** Asks on the terminal; without one (or without an answer) the answer is no. */
async function confirm(question: string, io: { input: Readable; errors: Writable; interactive: boolean }): Promise<boolean> {
  if (!io.interactive) throw new InputError('confirmation_needed', 'privacy erase: not run in a terminal; add --yes to erase without asking');
  const prompt = createInterface({ input: io.input, output: io.errors });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

function describe(report: ErasureReport): string {
  const kept = `${report.casesKept} case${report.casesKept === 1 ? '' : 's'} kept anonymised (${report.casesAnonymised} anonymised now)`;
  const deleted = report.records + report.states + report.transcriptEntries + report.evidenceFiles + report.deskEntries;
  if (deleted === 0 && report.casesAnonymised === 0) return `Nothing left to erase for customer ${report.customerId}; ${kept}.`;
  return (
    `Erased customer ${report.customerId}: ${report.conversations} conversation(s) — ${report.records} record(s), ${report.states} state item(s), ` +
    `${report.transcriptEntries} transcript entries, ${report.evidenceFiles} proof file(s), ${report.deskEntries} desk entries; ${kept}.`
  );
}
