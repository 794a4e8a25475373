/** How far a consumer was at a moment: the stream sequence it had handled, at `atMs` (performance.now). */
export interface ProgressSample {
  readonly atMs: number;
  readonly seq: number;
}

/** Sampling interval for drain progress: often enough for a 3 s drain, rare enough to cost the engine nothing visible. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * The first and last samples taken while a consumer was draining a preloaded stream of
 * `total` messages strictly in progress (past its first message, short of its last).
 * Both ends are exact observations, so sampling every 100 ms loses no precision, and
 * the consumer's start-up and its last partial interval are left out the same way for
 * the engine and for the no-op baseline.
 */
export function drainWindow<T extends ProgressSample>(samples: readonly T[], total: number): { first: T; last: T } {
  const inProgress = samples.filter((sample) => sample.seq > 0 && sample.seq < total);
  if (inProgress.length < 2) throw new Error(`too few progress samples while draining ${total} messages: the drain was shorter than two sampling intervals`);
  return { first: inProgress[0]!, last: inProgress.at(-1)! };
}

/** Messages per second between two samples. */
export function rateBetween(first: ProgressSample, last: ProgressSample): number {
  return ((last.seq - first.seq) * 1000) / (last.atMs - first.atMs);
}
