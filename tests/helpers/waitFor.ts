/**
 * Polls `condition` until it holds; fails with `what` and the time waited when it
 * does not hold within `timeoutMs`. For waiting on asynchronous effects (the engine
 * catching up with a stream, a subscriber receiving decisions) without fixed sleeps.
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000, intervalMs = 10): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `waitFor` for a condition that has to ask something asynchronous (a metrics endpoint, a stream). */
export async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000, intervalMs = 25): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
