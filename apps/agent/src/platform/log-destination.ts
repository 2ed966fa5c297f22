import { createRequire } from "node:module";
import type { SonicBoom as SonicBoomType } from "sonic-boom";

// A CommonJS package whose named export Node cannot see from ESM.
const { SonicBoom } = createRequire(import.meta.url)("sonic-boom") as typeof import("sonic-boom");

/**
 * Standard output for pino, written once per turn of the event loop: the lines logged
 * while handling a burst of requests go out in one write instead of one each (or a
 * hand-off to the thread pool each, as pino's asynchronous default does). Lines wait at
 * most until the current turn ends; whatever is still pending when the process exits,
 * whether from a graceful shutdown or a fatal error, is written synchronously then.
 */
export class BatchedStdout {
  readonly #out: SonicBoomType;
  #pending: string[] = [];
  #scheduled = false;

  constructor(fd = 1, proc: Pick<NodeJS.EventEmitter, "on"> = process) {
    // Synchronous writes of whole batches; SonicBoom retries EAGAIN and partial writes.
    this.#out = new SonicBoom({ fd, sync: true });
    // stdout closed by the reader: stop logging rather than crash.
    this.#out.on("error", () => {
      this.#pending = [];
      this.write = () => true;
    });
    proc.on("exit", () => this.flushSync());
  }

  write(line: string): boolean {
    this.#pending.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushTurn);
    }
    return true;
  }

  /** Writes everything logged so far before returning. */
  flushSync(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join("");
    this.#pending = [];
    this.#out.write(batch);
  }

  /** pino's logger.flush(). */
  flush(done?: (err?: Error) => void): void {
    this.flushSync();
    done?.();
  }

  readonly #flushTurn = (): void => {
    this.#scheduled = false;
    this.flushSync();
  };
}
