import { CHANNELS } from "./events/Channel.js";
import { EVENT_TYPES } from "./events/EventType.js";
import { INPUT_ERROR_CODES, INPUT_ERROR_INDEX, type InputErrorCode } from "./errors.js";

/** What became of an event; the index is its slot in the counters. */
export const EVENT_OUTCOMES = ["applied", "late"] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];
export const EventOutcomeIndex = { applied: 0, late: 1 } as const satisfies Record<EventOutcome, number>;

export const DECISION_SOURCES = ["trigger", "request"] as const;

/**
 * Why a trigger that matched made no decision: its action is not eligible, not offered
 * on the channel, or the event was older than `engine.triggerMaxAge` when it was
 * stored in the stream (imported history).
 */
export const SUPPRESSION_REASONS = ["ineligible", "channel", "stale", "policy", "campaign", "control"] as const;

/** The counters as a checkpoint stores them. */
export interface EngineStatsSnapshot {
  readonly events: number[];
  readonly rejected: number[];
  readonly decisions: [string, number[]][];
  readonly suppressed: [string, number[]][];
}

/**
 * The engine's counters, in typed arrays incremented on the hot path. Nothing here
 * knows Prometheus: the metrics connector reads these when scraped, so counting costs
 * an array increment and an unscraped engine pays nothing more.
 */
export class EngineStats {
  /** [type][channel][outcome] */
  readonly events = new Float64Array(EVENT_TYPES.length * CHANNELS.length * EVENT_OUTCOMES.length);
  readonly rejected = new Float64Array(INPUT_ERROR_CODES.length);
  /** Decisions per action id: [channel][source]. */
  readonly decisions = new Map<string, Float64Array>();
  /** Matched triggers that made no decision, per trigger id: [reason]. */
  readonly suppressed = new Map<string, Float64Array>();
  /** Stream sequence of the last message handled (applied or rejected); all before it are handled too. */
  lastSeq = 0;
  /**
   * Messages delivered again by the transport and dropped. Not part of checkpoints:
   * it counts this process's deliveries, not the stream's content.
   */
  redeliveries = 0;

  toSnapshot(): EngineStatsSnapshot {
    return {
      events: Array.from(this.events),
      rejected: Array.from(this.rejected),
      decisions: [...this.decisions].map(([action, counts]) => [action, Array.from(counts)]),
      suppressed: [...this.suppressed].map(([trigger, counts]) => [trigger, Array.from(counts)]),
    };
  }

  restore(snapshot: EngineStatsSnapshot): void {
    this.events.set(snapshot.events.slice(0, this.events.length));
    this.rejected.set(snapshot.rejected.slice(0, this.rejected.length));
    this.decisions.clear();
    for (const [action, counts] of snapshot.decisions) this.decisions.set(action, Float64Array.from(counts));
    this.suppressed.clear();
    for (const [trigger, counts] of snapshot.suppressed) this.suppressed.set(trigger, Float64Array.from(counts));
  }

  countEvent(typeIndex: number, channelIndex: number, outcome: number): void {
    this.events[(typeIndex * CHANNELS.length + channelIndex) * EVENT_OUTCOMES.length + outcome]++;
  }

  eventCount(typeIndex: number, channelIndex: number, outcome: number): number {
    return this.events[(typeIndex * CHANNELS.length + channelIndex) * EVENT_OUTCOMES.length + outcome]!;
  }

  countRejected(code: InputErrorCode): void {
    this.rejected[INPUT_ERROR_INDEX.get(code)!]++;
  }

  rejectedCount(code: InputErrorCode): number {
    return this.rejected[INPUT_ERROR_INDEX.get(code)!]!;
  }

  countDecision(actionId: string, channelIndex: number, fromRequest: boolean): void {
    let counts = this.decisions.get(actionId);
    if (counts === undefined) {
      counts = new Float64Array(CHANNELS.length * DECISION_SOURCES.length);
      this.decisions.set(actionId, counts);
    }
    counts[channelIndex * DECISION_SOURCES.length + (fromRequest ? 1 : 0)]++;
  }

  countSuppressed(triggerId: string, reasonIndex: number): void {
    let counts = this.suppressed.get(triggerId);
    if (counts === undefined) {
      counts = new Float64Array(SUPPRESSION_REASONS.length);
      this.suppressed.set(triggerId, counts);
    }
    counts[reasonIndex]++;
  }

  /** Total over all types, channels and the given outcome. */
  totalEvents(outcome: number): number {
    let total = 0;
    for (let i = outcome; i < this.events.length; i += EVENT_OUTCOMES.length) total += this.events[i]!;
    return total;
  }

  totalRejected(): number {
    return this.rejected.reduce((sum, count) => sum + count, 0);
  }

  /** Actions decided, from one source or both. */
  totalDecisions(source?: (typeof DECISION_SOURCES)[number]): number {
    const only = source === undefined ? -1 : DECISION_SOURCES.indexOf(source);
    let total = 0;
    for (const counts of this.decisions.values()) {
      for (let i = 0; i < counts.length; i++) {
        if (only < 0 || i % DECISION_SOURCES.length === only) total += counts[i]!;
      }
    }
    return total;
  }
}
