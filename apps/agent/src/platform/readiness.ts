import type { FastifyBaseLogger } from "fastify";

export type CheckName = "starting" | "draining" | "store";

export interface CheckResult {
  status: "pass" | "fail";
  message?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<CheckName, CheckResult>;
}

export interface ReadinessOptions {
  /** The storage the service cannot serve without; check() throws while it is away. */
  store: { readonly kind: string; check(): Promise<void> };
  logger: FastifyBaseLogger;
  /** A store check result is reused for this long, so probe floods do not hit the database. */
  checkIntervalMs: number;
  /** A store check slower than this counts as a failure. */
  checkTimeoutMs: number;
  /** Tests may start already started. */
  started?: boolean;
}

const PASS: CheckResult = { status: "pass" };

/**
 * What GET /ready reports: not ready until the server listens, not ready again from
 * the first shutdown signal on, and not ready while the store cannot be reached.
 */
export class Readiness {
  #started: boolean;
  #draining = false;
  #store: CheckResult | undefined;
  #storeCheckedAt = 0;
  #pending: Promise<CheckResult> | undefined;
  readonly #options: ReadinessOptions;

  constructor(options: ReadinessOptions) {
    this.#options = options;
    this.#started = options.started ?? false;
  }

  get draining(): boolean {
    return this.#draining;
  }

  markStarted(): void {
    this.#started = true;
  }

  startDraining(): void {
    this.#draining = true;
  }

  async report(): Promise<ReadinessReport> {
    const store = await this.#checkStore();
    const checks: Record<CheckName, CheckResult> = {
      starting: this.#started
        ? PASS
        : { status: "fail", message: "the server has not finished starting" },
      draining: this.#draining ? { status: "fail", message: "the server is shutting down" } : PASS,
      store,
    };
    return {
      ready:
        checks.starting.status === "pass" &&
        checks.draining.status === "pass" &&
        store.status === "pass",
      checks,
    };
  }

  #checkStore(): Promise<CheckResult> {
    const { checkIntervalMs } = this.#options;
    if (this.#store && performance.now() - this.#storeCheckedAt < checkIntervalMs) {
      return Promise.resolve(this.#store);
    }
    // Concurrent probes share one check.
    this.#pending ??= this.#runStoreCheck().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #runStoreCheck(): Promise<CheckResult> {
    const { store, checkTimeoutMs, logger } = this.#options;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${checkTimeoutMs} ms`)),
        checkTimeoutMs,
      );
    });
    let result: CheckResult;
    try {
      await Promise.race([store.check(), timeout]);
      result = PASS;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      result = {
        status: "fail",
        message: `the ${store.kind} task store is unreachable: ${reason}`,
      };
    } finally {
      clearTimeout(timer);
    }
    if (result.status !== this.#store?.status) {
      if (result.status === "fail") logger.warn({ check: "store" }, result.message);
      else if (this.#store) logger.info({ check: "store" }, "the task store is reachable again");
    }
    this.#store = result;
    this.#storeCheckedAt = performance.now();
    return result;
  }
}
