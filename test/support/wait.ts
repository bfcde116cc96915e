/**
 * Polls `probe` until it answers something (not undefined or false) and returns it; fails after
 * `timeoutMs` naming what was awaited. For effects that happen after a response (a Slack post,
 * a pushed message).
 */
export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
