import { type Logger, type LoggerOptions, pino } from "pino";
import type { Config } from "./config.ts";

function prettyAvailable(): boolean {
  try {
    import.meta.resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}

/**
 * JSON lines on stdout (what log collectors expect), human-readable only when
 * LOG_PRETTY=1 and pino-pretty is installed (it is a development dependency).
 */
export function createLogger(
  config: Pick<Config, "logLevel" | "logPretty" | "appVersion">,
  destination?: NodeJS.WritableStream,
): Logger {
  const options: LoggerOptions = {
    level: config.logLevel,
    base: { service: "agent", version: config.appVersion },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (config.logPretty && !destination) {
    if (prettyAvailable()) {
      return pino({
        ...options,
        transport: {
          target: "pino-pretty",
          options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service" },
        },
      });
    }
    const logger = pino(options);
    logger.warn("LOG_PRETTY is set but pino-pretty is not installed; logging JSON");
    return logger;
  }
  return destination ? pino(options, destination) : pino(options);
}
