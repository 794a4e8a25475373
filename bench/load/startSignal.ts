import { createInterface } from "node:readline";

/** What a load process prints when it is connected and prepared, before it waits for the start. */
export const READY_LINE = "ready";

/**
 * Load processes start together: each prints READY_LINE when it is connected and has
 * prepared its load, then waits for the orchestrator to write a wall-clock start time
 * (epoch ms) on its stdin, and resolves at that time.
 */
export async function waitForStart(): Promise<void> {
  process.stdout.write(`${READY_LINE}\n`);
  const lines = createInterface({ input: process.stdin });
  const [line] = await lines[Symbol.asyncIterator]().next().then((next) => [next.value as string | undefined]);
  lines.close();
  const startAt = Number(line);
  if (!Number.isFinite(startAt)) throw new Error(`expected a start time on stdin, got ${JSON.stringify(line)}`);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
}
