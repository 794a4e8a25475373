import type { ActionKind } from "../EngineSettings.js";
import { CHANNELS } from "../events/Channel.js";
import type { CustomerState } from "../state/CustomerState.js";
import type { Reason } from "./Decision.js";

const HOUR_MS = 3_600_000;
/** Event-time hours of channel load kept: late decisions within this still count in their own hour. */
const HOURS_KEPT = 48;

/** How proactive decisions pick their channel; capacities per channel index (Infinity: unlimited). */
export interface ChannelSelectionSettings {
  /** Multiplies the expected value on the customer's stated preferred channel. */
  readonly preferredBoost: number;
  /** Decisions per event-time hour each channel can take (e.g. call-center outbound slots), by channel index. */
  readonly perHour: readonly number[];
}

/** The channel load part of a checkpoint: [channel index, hour, decisions]. */
export type ChannelLoadSnapshot = [number, number, number][];

/**
 * Picks the channel of a proactive decision (`channel: best` on a trigger): among the
 * action's channels that pass the arbitration stages and still have capacity in the
 * decision's event-time hour, the one with the best expected value for this customer.
 * The action's response propensity and value are the same on every channel, so the
 * channels compare by the customer's own affinity to each (its share of the customer's
 * interactions, Laplace-smoothed so a new customer is not stuck with its first channel),
 * times `preferredBoost` on the channel the customer said it prefers. A channel where
 * the customer refused consent never gets an offer or a message. Capacity is counted exactly per hour of
 * event time, so a replay fills the same slots.
 */
export class ChannelSelection {
  readonly settings: ChannelSelectionSettings;
  /** By channel index: decisions per event-time hour. */
  readonly #load: Map<number, number>[] = CHANNELS.map(() => new Map());
  readonly #noConsent: readonly Reason[];
  readonly #full: readonly Reason[];

  constructor(settings: ChannelSelectionSettings) {
    this.settings = settings;
    this.#noConsent = CHANNELS.map((channel) => Object.freeze({ code: "channel", detail: `${channel}: the customer refused consent` }));
    this.#full = CHANNELS.map((channel, index) =>
      Object.freeze({ code: "channel", detail: `${channel}: its ${settings.perHour[index]} decisions in this hour are taken` }),
    );
  }

  /**
   * Why a channel cannot take this customer's decision at `ts`, before the arbitration
   * stages; null if it can. Consent is for marketing: a service action does not need it.
   */
  unavailable(channelIndex: number, kind: ActionKind, state: CustomerState, ts: number): Reason | null {
    if (kind !== "service" && (state.consentKnownMask & (1 << channelIndex)) !== 0 && !state.hasConsent(channelIndex)) {
      return this.#noConsent[channelIndex]!;
    }
    if (this.#used(channelIndex, ts) >= this.settings.perHour[channelIndex]!) return this.#full[channelIndex]!;
    return null;
  }

  /** The expected-value weight of a channel for this customer (affinity x preference). */
  weight(channelIndex: number, state: CustomerState): number {
    let total = 0;
    for (let c = 0; c < CHANNELS.length; c++) total += state.eventsByChannel[c]!;
    const affinity = (state.eventsByChannel[channelIndex]! + 1) / (total + CHANNELS.length);
    return state.preferredChannel === channelIndex ? affinity * this.settings.preferredBoost : affinity;
  }

  /** Takes one of the channel's slots in the hour of `ts`. */
  take(channelIndex: number, ts: number): void {
    if (this.settings.perHour[channelIndex] === Number.POSITIVE_INFINITY) return;
    const load = this.#load[channelIndex]!;
    const hour = Math.floor(ts / HOUR_MS);
    load.set(hour, (load.get(hour) ?? 0) + 1);
    for (const old of load.keys()) if (old <= hour - HOURS_KEPT) load.delete(old);
  }

  toSnapshot(): ChannelLoadSnapshot {
    return this.#load.flatMap((load, channelIndex) => [...load].map(([hour, count]): [number, number, number] => [channelIndex, hour, count]));
  }

  restore(snapshot: ChannelLoadSnapshot): void {
    for (const load of this.#load) load.clear();
    for (const [channelIndex, hour, count] of snapshot) this.#load[channelIndex]?.set(hour, count);
  }

  #used(channelIndex: number, ts: number): number {
    return this.#load[channelIndex]!.get(Math.floor(ts / HOUR_MS)) ?? 0;
  }
}
