import type { Logger } from "pino";

/**
 * Logs the first occurrence of each key per interval and counts the rest, so a flood
 * of bad input costs one log line per kind per interval, not one per message.
 */
export class RateLimitedLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { openedAt: number; suppressed: number }>();

  constructor(log: Logger, intervalMs = 10_000, now: () => number = Date.now) {
    this.#log = log;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = this.#now();
    const window = this.#windows.get(key);
    if (window !== undefined && now - window.openedAt < this.#intervalMs) {
      window.suppressed++;
      return;
    }
    const suppressed = window?.suppressed ?? 0;
    this.#windows.set(key, { openedAt: now, suppressed: 0 });
    this.#log.warn(suppressed > 0 ? { ...fields, suppressedSinceLast: suppressed } : fields, message);
  }
}
