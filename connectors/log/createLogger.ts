import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured logs, one JSON object per line. Payloads and customer data never go into
 * info-level logs; `destination` 2 sends logs to stderr for commands whose stdout is
 * a report.
 */
export function createLogger(level: string, destination: 1 | 2 = 1): Logger {
  return pino({ level, base: { service: "cxpulse" } }, pino.destination({ dest: destination, sync: false }));
}
