import { createApp } from '../app.ts';
import { loadConfigFromEnv } from '../config.ts';

/** `refundbot serve`: starts the server and stops cleanly on SIGINT/SIGTERM. */
export async function serve(): Promise<number> {
  const config = loadConfigFromEnv();
  const app = await createApp(config);
  const url = await app.listen();
  // Where orders come from; the API's address without any credentials written into it.
  const orders = config.ORDERS_API_URL ? { ordersApi: `${new URL(config.ORDERS_API_URL).origin}${new URL(config.ORDERS_API_URL).pathname}` } : { ordersFile: config.ordersFile };
  app.logger.info({ url, dataDir: config.dataDir, ...orders }, 'refund assistant listening');
  process.stdout.write(`\nRefund assistant ready: open ${url} (demo shop and chat), API at ${url}/v1, health at ${url}/healthz\n\n`);
  return new Promise((resolve) => {
    const stop = async (signal: string) => {
      app.logger.info({ signal }, 'shutting down');
      await app.close();
      resolve(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}
