import { startService } from "./service.ts";

// Anything that escapes the request lifecycle is a bug: record it as one JSON line and stop,
// so the orchestrator restarts a clean process.
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (err) => {
    process.stderr.write(
      `${JSON.stringify({ level: "fatal", time: new Date().toISOString(), msg: event, err: String(err instanceof Error ? err.stack : err) })}\n`,
    );
    process.exit(1);
  });
}

await startService();
