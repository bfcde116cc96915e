/** A server-sent event as a test sees it. */
export interface ServerEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads a text/event-stream response as a browser's EventSource would, collecting events;
 * `next(predicate)` waits for a matching one (or fails after `timeoutMs`).
 */
export class EventStreamReader {
  readonly events: ServerEvent[] = [];
  readonly #controller = new AbortController();
  #waiters: { predicate: (event: ServerEvent) => boolean; resolve: (event: ServerEvent) => void }[] = [];
  #done: Promise<void> | undefined;
  status = 0;

  async open(url: string, headers: Record<string, string> = {}): Promise<void> {
    const response = await fetch(url, { headers, signal: this.#controller.signal });
    this.status = response.status;
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    this.#done = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            this.#dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // Aborted by close().
      }
    })();
  }

  #dispatch(block: string): void {
    const event: ServerEvent = { data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') event.id = value;
      else if (field === 'event') event.event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    event.data = data.join('\n');
    this.events.push(event);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.predicate(event)) return true;
      waiter.resolve(event);
      return false;
    });
  }

  next(predicate: (event: ServerEvent) => boolean, timeoutMs = 5000): Promise<ServerEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; got ${this.events.length}`)), timeoutMs);
      this.#waiters.push({ predicate, resolve: (event) => { clearTimeout(timer); resolve(event); } });
    });
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }
}
