import { LoopbackWebSocket } from './websocket.js';

/** A Chrome DevTools Protocol session over the loopback WebSocket: calls with replies, nothing else. */
export class InspectorClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(private readonly ws: LoopbackWebSocket) {
    ws.on('message', (text) => this.onMessage(text));
    ws.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('the inspector closed the connection'));
      this.pending.clear();
    });
    ws.on('error', () => ws.close());
  }

  static async connect(webSocketUrl: string): Promise<InspectorClient> {
    return new InspectorClient(await LoopbackWebSocket.connect(webSocketUrl));
  }

  get isClosed(): boolean {
    return this.ws.isClosed;
  }

  call<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<T> {
    if (this.ws.isClosed) return Promise.reject(new Error('the inspector connection is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} got no answer within ${timeoutMs} ms (is the process blocked?)`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /**
   * Evaluates an expression in the target with the command-line API (so `require` works even in an
   * ES-module app) and returns its value; a thrown exception becomes an Error here.
   */
  async evaluate<T>(expression: string): Promise<T> {
    const reply = await this.call<{
      result: { value?: unknown };
      exceptionDetails?: { text?: string; exception?: { description?: string } };
    }>('Runtime.evaluate', { expression, includeCommandLineAPI: true, returnByValue: true, silent: true });
    if (reply.exceptionDetails) {
      const description = reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text ?? 'exception';
      throw new Error(description.split('\n')[0]);
    }
    return reply.result.value as T;
  }

  close(): void {
    this.ws.close();
  }

  private onMessage(text: string): void {
    let message: { id?: number; result?: unknown; error?: { message?: string } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.id === undefined) return; // a protocol event; we enable no domain that sends any we need
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.error) waiting.reject(new Error(message.error.message ?? 'inspector error'));
    else waiting.resolve(message.result);
  }
}
