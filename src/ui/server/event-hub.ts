/** One browser's event stream. */
interface Client {
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
}

const encoder = new TextEncoder();

/**
 * The SSE clients and what they are sent. The first client to connect starts the watching
 * (`onFirst`), the last to leave stops it (`onEmpty`), so an idle server watches nothing.
 */
export class EventHub {
  private readonly clients = new Set<Client>();
  private pinger: NodeJS.Timeout | undefined;

  constructor(
    private readonly onFirst: () => void,
    private readonly onEmpty: () => void,
    private readonly pingMs = 15_000,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** A new event stream; it leaves the hub when the browser goes away or the hub closes. */
  connect(): ReadableStream<Uint8Array> {
    let client: Client | undefined;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        client = { controller };
        this.clients.add(client);
        // A comment first, so the browser sees the stream open before any change happens.
        controller.enqueue(encoder.encode(": connected\n\n"));
        if (this.clients.size === 1) this.started();
      },
      cancel: () => {
        if (client) this.leave(client);
      },
    });
  }

  /** Sends `event` with `data` as JSON to every client. */
  send(event: string, data: unknown): void {
    this.sendAll(event, [data]);
  }

  /** Sends one `event` per item of `data`, in one write per client (a backfill's burst of runs). */
  sendAll(event: string, data: readonly unknown[]): void {
    if (data.length === 0) return;
    this.write(data.map((item) => `event: ${event}\ndata: ${JSON.stringify(item)}\n\n`).join(""));
  }

  /** Ends every stream (the server is stopping). */
  closeAll(): void {
    for (const client of [...this.clients]) {
      try {
        client.controller.close();
      } catch {
        // Closed already by the browser.
      }
      this.leave(client);
    }
  }

  private started(): void {
    this.pinger = setInterval(() => this.write(": ping\n\n"), this.pingMs);
    this.onFirst();
  }

  private leave(client: Client): void {
    if (!this.clients.delete(client) || this.clients.size > 0) return;
    clearInterval(this.pinger);
    this.onEmpty();
  }

  private write(text: string): void {
    const bytes = encoder.encode(text);
    for (const client of [...this.clients]) {
      try {
        client.controller.enqueue(bytes);
      } catch {
        this.leave(client);
      }
    }
  }
}
