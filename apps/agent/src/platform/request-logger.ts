import type { FastifyBaseLogger } from "fastify";
import type { Bindings, ChildLoggerOptions, Level, Logger } from "pino";

type Write = (...args: unknown[]) => void;

/**
 * Fastify gives every request its own logger, a child carrying the request id. A pino child
 * per request costs more than most requests ever log, so a child of this logger turns into
 * a pino child on the first line that is actually written (a level that is off writes
 * nothing and builds nothing); from then on it is exactly that child. Its own children are
 * lazy too, so given to Fastify as its logger (`LazyRequestLogger.over(pino)`) it makes every request's
 * logger lazy through Fastify's default child factory, which skips the check a custom
 * factory's every child gets (about 2% of /health's instructions).
 */
export class LazyRequestLogger implements FastifyBaseLogger {
  /** Undefined for the root, whose pino logger is given. */
  readonly #parent: LazyRequestLogger | undefined;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  /** pino's level values, shared by the whole tree: isLevelEnabled reads them per request. */
  readonly #values: Record<string, number>;
  #pino: Logger | undefined;

  /**
   * Fastify's `loggerInstance` for a service whose logger is pino: the root of a tree of lazy
   * loggers over `logger`, which stays the one that writes.
   */
  static over(logger: Logger): LazyRequestLogger {
    return new LazyRequestLogger(undefined, {}, {}, logger);
  }

  private constructor(
    parent: LazyRequestLogger | undefined,
    bindings: Bindings,
    options: ChildLoggerOptions,
    logger?: Logger,
  ) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
    this.#pino = logger;
    this.#values = parent ? parent.#values : logger!.levels.values;
  }

  get level(): string {
    return this.#pino?.level ?? this.#options.level ?? this.#parent!.level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  fatal(...args: unknown[]): void {
    this.#write("fatal", args);
  }

  error(...args: unknown[]): void {
    this.#write("error", args);
  }

  warn(...args: unknown[]): void {
    this.#write("warn", args);
  }

  info(...args: unknown[]): void {
    this.#write("info", args);
  }

  debug(...args: unknown[]): void {
    this.#write("debug", args);
  }

  trace(...args: unknown[]): void {
    this.#write("trace", args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): LazyRequestLogger {
    return new LazyRequestLogger(this, bindings, options ?? {});
  }

  /** pino's own rule: a line is written when its level is at or above the logger's. */
  isLevelEnabled(level: string): boolean {
    return (this.#values[level] ?? 0) >= (this.#values[this.level] ?? Number.POSITIVE_INFINITY);
  }

  #write(level: Level, args: unknown[]): void {
    if (this.isLevelEnabled(level)) (this.#logger()[level] as Write)(...args);
  }

  #logger(): Logger {
    this.#pino ??= this.#parent!.#logger().child(this.#bindings, this.#options);
    return this.#pino;
  }
}
