import { type Logger, type LoggerOptions, pino } from "pino";
import type { Config } from "../config.ts";
import { isoTime } from "./iso-time.ts";
import { BatchedStdout } from "./log-destination.ts";

/** One per process: every logger built without a destination shares it. */
let stdout: BatchedStdout | undefined;
const sharedStdout = (): BatchedStdout => {
  stdout ??= new BatchedStdout();
  return stdout;
};

function prettyAvailable(module: string): boolean {
  try {
    import.meta.resolve(module);
    return true;
  } catch {
    return false;
  }
}

/**
 * JSON lines on stdout (what log collectors expect; see BatchedStdout), human-readable only when
 * LOG_PRETTY=1 and pino-pretty is installed (it is a development dependency).
 */
export function createLogger(
  config: Pick<Config, "logLevel" | "logPretty" | "appVersion">,
  destination?: NodeJS.WritableStream,
  prettyModule = "pino-pretty",
): Logger {
  const options: LoggerOptions = {
    level: config.logLevel,
    base: { service: "agent", version: config.appVersion },
    // pino's isoTime, with the formatted time reused within a millisecond.
    timestamp: () => `,"time":"${isoTime(Date.now())}"`,
    formatters: { level: (label) => ({ level: label }) },
  };
  const pretty = config.logPretty && prettyAvailable(prettyModule);
  if (pretty && !destination) {
    return pino({
      ...options,
      transport: {
        target: prettyModule,
        options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service,version" },
      },
    });
  }
  const logger = pino(options, destination ?? sharedStdout());
  if (config.logPretty && !pretty) {
    logger.warn(`LOG_PRETTY is set but ${prettyModule} is not installed; logging JSON`);
  }
  return logger;
}
