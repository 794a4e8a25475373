import type { ActionKind } from "../EngineSettings.js";
import { CHANNELS } from "../events/Channel.js";
import { ContactOutcome } from "../state/ContactHistory.js";
import type { CustomerState } from "../state/CustomerState.js";
import { DAY_MS } from "../state/CustomerState.js";
import type { Reason } from "./Decision.js";

/** A frequency cap: at most `max` marketing contacts on a channel (or any) within a rolling window. */
export interface FrequencyCap {
  /** Channel index; -1: all channels together. */
  readonly channelIndex: number;
  readonly max: number;
  readonly windowMs: number;
}

/** The contact policy as configured; durations in milliseconds, 0 turns a rule off. */
export interface ContactPolicySettings {
  readonly caps: readonly FrequencyCap[];
  /** After the customer declines any offer, no offer for this long. */
  readonly declineCoolDownMs: number;
  /** Whether sales offers may be made while a complaint is open. */
  readonly offersWhileComplaintOpen: boolean;
  /** An offer made on one channel and not yet answered blocks the same offer on other channels for this long. */
  readonly outstandingMs: number;
  /** An accepted offer is not made again, on any channel, for this long. */
  readonly acceptedRestMs: number;
  /** When an offer is accepted, its unanswered decisions on other channels from within this are withdrawn (0: none). */
  readonly withdrawWithinMs: number;
}

/**
 * The rules that keep one consistent conversation with a customer across channels,
 * read from the customer's own contact history (which every channel shares, because
 * one engine owns the customer), so two channels asking at the same moment see each
 * other's decisions. Service actions are never held back: the policy is about
 * marketing. Caps count offers and messages; the other rules apply to offers.
 *
 * Caps are exact over their windows while a cap is below the contact history's size
 * (`engine.contactHistory`), which configuration loading checks.
 */
export class ContactPolicy {
  readonly settings: ContactPolicySettings;
  readonly #isMarketing: (actionId: string) => boolean;
  readonly #capReasons: readonly Reason[];
  readonly #coolDownReason: Reason;
  readonly #complaintReason: Reason;
  /** By the channel holding the outstanding or accepted offer. */
  readonly #outstandingReasons: readonly Reason[];
  readonly #acceptedReasons: readonly Reason[];

  /** `kindOf`: the catalog's kind of an action id (undefined for one no longer in the catalog: counted). */
  constructor(settings: ContactPolicySettings, kindOf: (actionId: string) => ActionKind | undefined) {
    this.settings = settings;
    this.#isMarketing = (actionId) => kindOf(actionId) !== "service";
    const where = (channelIndex: number) => (channelIndex < 0 ? "on all channels together" : `on ${CHANNELS[channelIndex]}`);
    const reason = (detail: string): Reason => Object.freeze({ code: "policy", detail });
    this.#capReasons = settings.caps.map((cap) =>
      reason(`frequency cap: at most ${cap.max} offers and messages ${where(cap.channelIndex)} in ${days(cap.windowMs)}`),
    );
    this.#coolDownReason = reason(`cool-down: the customer declined an offer within ${days(settings.declineCoolDownMs)}`);
    this.#complaintReason = reason("a complaint is open: no sales offers");
    this.#outstandingReasons = CHANNELS.map((channel) => reason(`offered on ${channel} and not answered yet: one channel at a time`));
    this.#acceptedReasons = CHANNELS.map((channel) => reason(`accepted on ${channel} within ${days(settings.acceptedRestMs)}`));
  }

  /** The rule that holds `actionId` back on `channelIndex` for this customer at `nowTs`, or null. */
  blocker(actionId: string, kind: ActionKind, channelIndex: number, state: CustomerState, nowTs: number): Reason | null {
    if (kind === "service") return null;
    const settings = this.settings;
    if (kind === "offer") {
      if (!settings.offersWhileComplaintOpen && state.openComplaints > 0) return this.#complaintReason;
      if (settings.declineCoolDownMs > 0 && state.lastDeclineTs > 0 && nowTs - state.lastDeclineTs < settings.declineCoolDownMs) {
        return this.#coolDownReason;
      }
      if (settings.acceptedRestMs > 0) {
        const acceptedOn = state.contacts.channelOf(actionId, nowTs - settings.acceptedRestMs, ContactOutcome.accepted);
        if (acceptedOn >= 0) return this.#acceptedReasons[acceptedOn]!;
      }
      if (settings.outstandingMs > 0) {
        const outstandingOn = state.contacts.channelOf(actionId, nowTs - settings.outstandingMs, ContactOutcome.pending);
        if (outstandingOn >= 0 && outstandingOn !== channelIndex) return this.#outstandingReasons[outstandingOn]!;
      }
    }
    const caps = settings.caps;
    for (let c = 0; c < caps.length; c++) {
      const cap = caps[c]!;
      if (cap.channelIndex >= 0 && cap.channelIndex !== channelIndex) continue;
      if (state.contacts.countSince(nowTs - cap.windowMs, cap.channelIndex, this.#isMarketing) >= cap.max) return this.#capReasons[c]!;
    }
    return null;
  }
}

function days(ms: number): string {
  return ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : `${ms / 3_600_000}h`;
}
