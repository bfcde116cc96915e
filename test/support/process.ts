import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { ROOT } from './server.ts';

/** The real `refundbot` command, as `npx refundbot` runs it. */
export const BIN = 'bin/refundbot.mjs';

/** A `refundbot` process started by a test, with everything it printed so far. */
export interface BinProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stdout satisfies `predicate`; rejects on exit or after `timeoutMs`. */
  waitForStdout(predicate: (stdout: string) => boolean, timeoutMs?: number): Promise<string>;
}

const running = new Set<ChildProcessWithoutNullStreams>();

/**
 * Spawns `node bin/refundbot.mjs ...args` with the test runner's Node (the project's Node 24) in
 * the project root. The environment is minimal (PATH, HOME plus `env`), so nothing from the
 * developer's shell (a REDIS_URL, a PORT) leaks into the run. `input`, when given, is written to
 * stdin, which is then closed.
 */
export function spawnBin(args: string[], options: { env: Record<string, string>; input?: string }): BinProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: string) => {
    err += chunk;
  });
  // A process that exits before reading all of its input must not crash the test with EPIPE.
  child.stdin.on('error', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      running.delete(child);
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
  });
  if (options.input !== undefined) child.stdin.end(options.input);

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStdout(predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const done = () => {
          listeners.delete(check);
          clearTimeout(timer);
        };
        const check = () => {
          if (predicate(out)) {
            done();
            resolve(out);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`process exited (${child.exitCode ?? child.signalCode}) before the expected output.\nstdout:\n${out}\nstderr:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`expected output not seen after ${timeoutMs} ms.\nstdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs the command to its end, killing it after `timeoutMs`. */
export async function runBin(args: string[], options: { env: Record<string, string>; input?: string; timeoutMs?: number }) {
  const run = spawnBin(args, options);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  try {
    const { code, signal } = await run.exited;
    return { code, signal, stdout: run.stdout(), stderr: run.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs every process spawned by this module that is still running, by its pid. */
export async function killAllSpawned(): Promise<void> {
  const waits = [...running].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        if (!child.kill('SIGKILL')) resolve();
      }),
  );
  await Promise.all(waits);
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `${url}/healthz` until it answers 200; fails early if `run` exits first. */
export async function waitForHealth(url: string, run: BinProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      throw new Error(`server exited (${run.child.exitCode ?? run.child.signalCode}) before it was healthy.\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server not healthy after ${timeoutMs} ms.\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`);
}
