import { parseArgs } from 'node:util';
import { CodedError } from '../errors.ts';

const USAGE = `Usage: refundbot <command>

Commands:
  serve              run the assistant's HTTP server (what npm start runs)
  chat               talk to the assistant in the terminal
  classify           JSON lines {"text"} on stdin -> {"intent","category","confidence","language"} on stdout
  eval FILE [--intent]
                     accuracy, macro-F1 and confusion table on a labelled TSV (label<TAB>text)
  report [--since 30d | --from YYYY-MM-DD [--to YYYY-MM-DD]] [--channel NAME] [--json] [--now ISO-TIME]
                     the merchant's figures (reasons, decisions, service) from the configured store
  privacy export --customer ID|EMAIL [--out FILE] [--out-dir DIR]
                     everything held about a customer as JSON (stdout or FILE); proof files into DIR
  privacy erase --customer ID|EMAIL [--yes] [--json]
                     delete a customer's conversations and proof files, anonymise their cases

Configuration comes from the environment; see .env.example.`;

/** The `refundbot` command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const { serve } = await import('./serve.ts');
        return await serve();
      }
      case 'chat': {
        const { chat } = await import('./chat.ts');
        return await chat({ input: process.stdin, output: process.stdout });
      }
      case 'classify': {
        const { classifyCommand } = await import('./commands.ts');
        return await classifyCommand();
      }
      case 'eval': {
        const { values, positionals } = parseArgs({ args: rest, options: { intent: { type: 'boolean', default: false } }, allowPositionals: true });
        const file = positionals[0];
        if (!file) {
          process.stderr.write(`eval needs a FILE\n\n${USAGE}\n`);
          return 2;
        }
        const { evalCommand } = await import('./commands.ts');
        return await evalCommand(file, { intent: values.intent ?? false });
      }
      case 'report': {
        const { reportCommand } = await import('./report.ts');
        try {
          return await reportCommand(rest, process.stdout);
        } catch (error) {
          // parseArgs: an unknown option or a missing value.
          if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
            process.stderr.write(`refundbot report: ${error.message}\n\n${USAGE}\n`);
            return 2;
          }
          throw error;
        }
      }
      case 'privacy': {
        const { privacyCommand } = await import('./privacy.ts');
        try {
          return await privacyCommand(rest, { input: process.stdin, output: process.stdout, errors: process.stderr, interactive: Boolean(process.stdin.isTTY) });
        } catch (error) {
          // parseArgs: an unknown option or a missing value.
          if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
            process.stderr.write(`refundbot privacy: ${error.message}\n\n${USAGE}\n`);
            return 2;
          }
          throw error;
        }
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`unknown command: ${command}\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    // Configuration and data-file errors stop the process with a message naming what is wrong.
    if (error instanceof CodedError && error.fault !== 'bug') {
      process.stderr.write(`refundbot: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
