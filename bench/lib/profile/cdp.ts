/**
 * The few Chrome DevTools Protocol calls the profiler makes, over the
 * WebSocket of one workerd isolate's inspector. Node 20 has a WebSocket only
 * behind --experimental-websocket (`npm run bench:profile` passes it).
 */

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };
type Listener = (params: Record<string, unknown>) => void;

export type CallFrame = {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
};

export type ProfileNode = {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
};

/** A V8 CPU profile: `samples[i]` is the node running `timeDeltas[i]` µs after the previous sample. */
export type CpuProfile = {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Listener[]>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        method?: string;
        params?: Record<string, unknown>;
        result?: unknown;
        error?: { message: string };
      };
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiting?.reject(new Error(message.error.message));
        else waiting?.resolve(message.result);
      } else if (message.method) {
        for (const listener of this.listeners.get(message.method) ?? []) {
          listener(message.params ?? {});
        }
      }
    });
  }

  static async connect(url: string): Promise<Inspector> {
    if (typeof WebSocket === "undefined") {
      throw new Error("no WebSocket in this Node: run with --experimental-websocket (Node 20)");
    }
    // wrangler's inspector proxy only takes DevTools from a local origin (Node's WebSocket takes headers).
    const local = { headers: { Origin: "http://localhost" } } as unknown as string[];
    const socket = new WebSocket(url, local);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), {
        once: true,
      });
    });
    return new Inspector(socket);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  on(method: string, listener: Listener) {
    this.listeners.set(method, [...(this.listeners.get(method) ?? []), listener]);
  }

  close() {
    this.socket.close();
  }
}
