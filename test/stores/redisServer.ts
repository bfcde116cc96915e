import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/**
 * A private `redis-server` child process, which a test can stop and start again to see how the
 * stores live through a Redis outage. Nothing is kept on disk, unless `persistDir` is given: then
 * every write is in an append-only file there, fsynced (as production should run it), and a
 * restart comes back with the data. `kill()` is for afterAll.
 */
export class RedisServerProcess {
  readonly port: number;
  readonly #persistDir: string | undefined;
  #child: ChildProcess | undefined;

  constructor(port: number, options: { persistDir?: string } = {}) {
    this.port = port;
    this.#persistDir = options.persistDir;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const persistence = this.#persistDir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.#persistDir] : ['--appendonly', 'no'];
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence], {
      stdio: 'ignore',
    });
    this.#child = child;
    // Ready once it accepts a connection.
    const deadline = performance.now() + 5_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (performance.now() > deadline) throw new Error('redis-server did not start within 5 s');
      await sleep(20);
    }
  }

  /** Stops the server as a crash would (SIGKILL) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing is answered. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  kill(): void {
    this.#child?.kill('SIGKILL');
    this.#child = undefined;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}
