/**
 * SIGINT, SIGTERM and SIGHUP while a command changes the repository. Node's default would stop
 * the process at once, possibly while a push is landing, so the exit status would not say what
 * happened. Instead the command stops at the next safe point: before a push nothing is
 * deployed; a push that has started is waited for and its real outcome reported.
 */
import { constants } from "node:os";
import { GitopsError } from "./command.ts";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export class Interrupt {
  readonly #controller = new AbortController();
  #received: NodeJS.Signals | undefined;
  readonly #handler = (signal: NodeJS.Signals) => {
    this.#received ??= signal;
    this.#controller.abort();
  };

  listen(): this {
    for (const signal of SIGNALS) process.on(signal, this.#handler);
    return this;
  }

  stop(): void {
    for (const signal of SIGNALS) process.off(signal, this.#handler);
  }

  /** Aborts when a signal arrives: for network commands it is safe to stop half-way. */
  get abortSignal(): AbortSignal {
    return this.#controller.signal;
  }

  get received(): NodeJS.Signals | undefined {
    return this.#received;
  }

  /**
   * Lets signals that arrived during synchronous git calls reach their handler, then checks.
   * Node queues signals and runs handlers from the event loop, in order, some turns later: a
   * harmless signal sent to ourselves marks the end of the queue.
   */
  async settle(): Promise<void> {
    if (process.platform !== "win32") {
      await new Promise<void>((resolve) => {
        // Signal watchers do not keep Node running; the timer does, and bounds the wait.
        const timer = setTimeout(done, 1000);
        function done() {
          clearTimeout(timer);
          process.off("SIGURG", done);
          resolve();
        }
        process.on("SIGURG", done);
        process.kill(process.pid, "SIGURG");
      });
    }
    this.check();
  }

  /** Throws, with the exit status a shell gives for the signal, when one has arrived. */
  check(): void {
    const signal = this.#received;
    if (signal === undefined) return;
    throw new GitopsError(
      `interrupted by ${signal} before pushing: nothing was deployed, and the clone is as it was. Run the command again.`,
      128 + constants.signals[signal],
    );
  }
}
