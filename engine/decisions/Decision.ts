import type { ActionKind } from "../EngineSettings.js";
import type { Channel } from "../events/Channel.js";

/** Why an action was chosen or removed: a stable code and a human-readable detail. */
export interface Reason {
  readonly code: ReasonCode;
  readonly detail: string;
}

/**
 * Reason codes in decisions. Chosen actions carry `trigger`, `eligible`, `value`
 * and `weight`; actions left out carry `channel` (not offered there), `ineligible`
 * (its eligibility rule is false) or `limit` (eligible, but ranked below the limit).
 */
export type ReasonCode = "trigger" | "eligible" | "value" | "weight" | "channel" | "ineligible" | "limit";

export interface RankedAction {
  readonly actionId: string;
  readonly title: string;
  readonly kind: ActionKind;
  readonly channel: Channel;
  /** value x weight; later work multiplies in a propensity. */
  readonly score: number;
  readonly reasons: readonly Reason[];
}

export interface FilteredAction {
  readonly actionId: string;
  readonly reason: Reason;
}

export type DecisionSource = "trigger" | "request";

/** A next-best-action decision, published or returned; the wire payload as is. */
export interface Decision {
  /** Deterministic: `<eventId>:<triggerId>` for triggers, so a replay repeats the id. */
  readonly decisionId: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly source: DecisionSource;
  readonly triggerId?: string;
  readonly eventId?: string;
  readonly requestId?: string;
  /** Event time of the trigger, or the engine's event-time now for a request. */
  readonly ts: number;
  readonly actions: readonly RankedAction[];
  /** For requests: every candidate removed, with the rule that removed it. */
  readonly filtered?: readonly FilteredAction[];
  readonly knownCustomer: boolean;
  readonly configVersion: string;
  readonly timings: DecisionTimings;
}

export interface DecisionTimings {
  /** Wall-clock epoch ms when the engine decided. */
  readonly decidedAt: number;
  /** For triggers: decidedAt minus the event's ts (producer-to-decision latency). */
  readonly eventAgeMs?: number;
}
