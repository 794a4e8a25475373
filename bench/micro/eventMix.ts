import { Subjects } from "../../connectors/nats/subjects.js";
import type { EventInput } from "../../engine/index.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";

/** 2026-11-02T00:00:00Z; the mix's event times lie within the hour after it. */
export const MIX_START_TS = Date.UTC(2026, 10, 2);
export const MIX_SPAN_MS = 3_600_000;
/** Events in the mix every suite cycles through: enough that 10,000 customers each see several. */
export const MIX_SIZE = 100_000;

export interface EventMix {
  readonly events: EventInput[];
  /** MessagePack, as producers send it. */
  readonly payloads: Uint8Array[];
  readonly subjects: string[];
}

/**
 * The seeded, realistic event mix every micro-benchmark measures: the simulator's
 * multi-channel traffic, MessagePack-encoded, with event times inside one hour so that
 * cycling through the mix never falls behind the engine's allowed lateness and every
 * event exercises the windows.
 */
export function eventMix(count = MIX_SIZE, options: { seed?: number; customers?: number } = {}): EventMix {
  const simulator = new TrafficSimulator({ seed: options.seed ?? 20_261_123, customers: options.customers ?? 10_000, runId: "bench" });
  const events: EventInput[] = [];
  const payloads: Uint8Array[] = [];
  const subjects: string[] = [];
  for (let i = 0; i < count; i++) {
    const message = simulator.nextMessage(MIX_START_TS + Math.floor((i * MIX_SPAN_MS) / count));
    const event = message.event!;
    events.push(event);
    payloads.push(message.data);
    subjects.push(Subjects.event(event.channel, event.customerId));
  }
  return { events, payloads, subjects };
}

/** A function returning 0, 1, ..., size - 1, 0, 1, ...: which mix entry the next operation uses. */
export function cyclicIndex(size: number): () => number {
  let cursor = -1;
  return () => (cursor = cursor + 1 === size ? 0 : cursor + 1);
}
