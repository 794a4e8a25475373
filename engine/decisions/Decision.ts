import type { ActionKind } from "../EngineSettings.js";
import type { Channel } from "../events/Channel.js";

/** Why an action was chosen or removed: a stable code and a human-readable detail. */
export interface Reason {
  readonly code: ReasonCode;
  readonly detail: string;
}

/**
 * Reason codes in decisions. Chosen actions carry `trigger`, `eligible`, `propensity`,
 * `value` and `weight`; actions left out carry the first stage that removed them:
 * `issue` (not of the issue the request asked for), `channel` (not offered there), `ineligible`, `inapplicable`, `unsuitable` (its rule
 * of that stage is false), `policy` (the contact policy: a cap, a cool-down, an open
 * complaint, the offer outstanding or accepted on another channel), `campaign` (outside
 * its campaign's audience, schedule or volume), `experiment` (the customer is in the
 * campaign's control group) or `limit` (ranked below the limit). A campaign's action
 * also carries `experiment` with its arm and the arm's probability; a trigger's action on
 * a chosen channel (`channel: best`) carries `channelChoice` with the channels weighed.
 * An action removed because its value expression gave no usable number carries
 * `noValue`; the first action of a request drawn at random (`arbitration.exploration`)
 * carries `explored`.
 */
export type ReasonCode =
  | "trigger"
  | "issue"
  | "eligible"
  | "propensity"
  | "value"
  | "weight"
  | "channel"
  | "ineligible"
  | "inapplicable"
  | "unsuitable"
  | "policy"
  | "campaign"
  | "experiment"
  | "channelChoice"
  | "noValue"
  | "explored"
  | "limit";

export interface RankedAction {
  readonly actionId: string;
  readonly title: string;
  readonly kind: ActionKind;
  /** The action's issue and group in the catalog, when it gives them. */
  readonly issue?: string;
  readonly group?: string;
  readonly channel: Channel;
  /** Probability that the customer accepts it (the action's response model; 1 with the models off). */
  readonly propensity: number;
  /** propensity x value x weight. */
  readonly score: number;
  /** How the action is presented on this channel, when the catalog gives it treatments. */
  readonly treatment?: { readonly id: string; readonly title?: string; readonly content?: Readonly<Record<string, string | number | boolean>> };
  /** For a campaign's action: the campaign, the arm the customer is in, and that arm's probability under the test design. */
  readonly campaign?: { readonly id: string; readonly arm: string; readonly probability: number };
  readonly reasons: readonly Reason[];
}

export interface FilteredAction {
  readonly actionId: string;
  readonly reason: Reason;
}

/** `withdrawal`: an offer outstanding on this channel was accepted on another; take it down. */
export type DecisionSource = "trigger" | "request" | "withdrawal";

/** What a withdrawal takes back. */
export interface Withdrawal {
  readonly actionId: string;
  /** The decision that made the offer on this channel. */
  readonly decisionId: string;
  /** Where the customer accepted it. */
  readonly acceptedOn: Channel;
}

/** A next-best-action decision, published or returned; the wire payload as is. */
export interface Decision {
  /** Deterministic: `<eventId>:<triggerId>` for triggers on events, `<segment change id>:<triggerId>` on segment entry, so a replay repeats the id. */
  readonly decisionId: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly source: DecisionSource;
  readonly triggerId?: string;
  /** The event that fired the trigger, or that brought the customer into the segment; absent for an entry time alone caused. */
  readonly eventId?: string;
  readonly requestId?: string;
  /** Event time of the trigger, or the engine's event-time now for a request. */
  readonly ts: number;
  readonly actions: readonly RankedAction[];
  /**
   * The probability with which `actions[0]` was chosen at this moment, given the
   * candidates, so that other strategies can be evaluated off-policy from logged
   * decisions: 1 for a trigger's action; for a request with exploration ε over K
   * candidates, 1 - ε + ε/K for the best-ranked action and ε/K for another. Absent when
   * no action was chosen. (A campaign's arm has its own probability, in `campaign`.)
   */
  readonly probability?: number;
  /** For requests: every candidate removed, with the rule that removed it. */
  readonly filtered?: readonly FilteredAction[];
  /** For withdrawals: the offer taken back (`actions` is empty). */
  readonly withdrawn?: Withdrawal;
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
