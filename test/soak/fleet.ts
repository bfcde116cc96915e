import { type BinProcess, freePort, spawnBin, waitForHealth } from '../support/process.ts';

/** One `refundbot serve` process of the fleet, on a port it keeps across restarts. */
interface Instance {
  port: number;
  url: string;
  run: BinProcess | undefined;
  /** Started and answering /healthz. */
  healthy: boolean;
}

/**
 * Several real server processes (`refundbot serve`) on one environment, as behind a load
 * balancer. An instance can be SIGKILLed (no shutdown hooks run, as in a crash or an OOM kill)
 * and started again on the same port.
 */
export class Fleet {
  readonly #env: Record<string, string>;
  readonly #instances: Instance[] = [];
  /** stderr of every process that has exited, for diagnosing a failed run. */
  readonly stderr: string[] = [];

  constructor(options: { env: Record<string, string> }) {
    this.#env = options.env;
  }

  get urls(): string[] {
    return this.#instances.map((instance) => instance.url);
  }

  /** The indexes of the instances up and healthy now (not those starting). */
  running(): number[] {
    return this.#instances.flatMap((instance, index) => (instance.healthy ? [index] : []));
  }

  async start(count: number): Promise<void> {
    for (let index = 0; index < count; index++) {
      const port = await freePort();
      this.#instances.push({ port, url: `http://127.0.0.1:${port}`, run: undefined, healthy: false });
    }
    // The first trains the language model (CPU-bound) or loads it from DATA_DIR's cache; the
    // others then load what it cached.
    await this.restart(0);
    await Promise.all(this.#instances.slice(1).map((_, index) => this.restart(index + 1)));
  }

  /** Starts the instance (again) on its port and waits until it answers /healthz. */
  async restart(index: number): Promise<void> {
    const instance = this.#instance(index);
    if (instance.run) throw new Error(`instance ${index} is running`);
    const run = spawnBin(['serve'], { env: { ...this.#env, PORT: String(instance.port), HOST: '127.0.0.1' } });
    instance.run = run;
    void run.exited.then(({ code, signal }) => {
      if (signal !== 'SIGKILL') this.stderr.push(`instance ${index} exited (${code ?? signal}):\n${run.stderr().slice(-4000)}`);
    });
    await waitForHealth(instance.url, run, 60_000);
    instance.healthy = true;
  }

  /** SIGKILLs the instance and waits until it is gone. */
  async kill(index: number): Promise<void> {
    const instance = this.#instance(index);
    const run = instance.run;
    instance.run = undefined;
    instance.healthy = false;
    if (!run) return;
    run.child.kill('SIGKILL');
    await run.exited;
  }

  /** SIGKILLs every instance still running (cleanup). */
  async stop(): Promise<void> {
    await Promise.all(this.#instances.map((_, index) => this.kill(index)));
  }

  /** Everything the running instances wrote on stderr and stdout at level warn or above (JSON log lines). */
  logs(): string[] {
    return this.#instances.flatMap((instance) => (instance.run ? [instance.run.stderr(), instance.run.stdout()] : []));
  }

  #instance(index: number): Instance {
    const instance = this.#instances[index];
    if (!instance) throw new Error(`no instance ${index}`);
    return instance;
  }
}
