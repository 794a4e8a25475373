import { CHANNELS, type Channel } from "../../events/Channel.js";
import type { CustomerState } from "../../state/CustomerState.js";
import type { BinnedAttribute } from "./ProfileAttributes.js";
import { BASE_PROFILE, binOffsets, SegmentProfiles, type GroupCounts, type MeasureSummary, type ProfileSummary } from "./SegmentProfiles.js";

/** The segments as the profiler needs them: id, title and membership bit. */
export interface ProfiledSegment {
  readonly id: string;
  readonly title: string;
  readonly mask: number;
}

/** A group's running counts during a scan. */
class GroupTally {
  customers = 0;
  readonly bins: Float64Array;
  readonly categories = new Map<string, number>();
  readonly channelEvents = new Float64Array(CHANNELS.length);
  // Kept for the exact medians: 32 bytes per customer and group, for the length of a scan.
  readonly revenue: number[] = [];
  readonly purchases: number[] = [];
  readonly profit: number[] = [];
  readonly tenure: number[] = [];

  constructor(binCount: number) {
    this.bins = new Float64Array(binCount);
  }
}

/**
 * Builds segment profiles from customers handed to it one at a time, so a caller can
 * spread a scan of a large base over many turns of the event loop. Each customer is
 * binned once and counted in the base and in every segment it is a member of now.
 * A scan allocates (it runs off the hot path); the finished SegmentProfiles hold
 * counts only.
 */
export class SegmentProfiler {
  readonly asOf: number;
  readonly #attributes: readonly BinnedAttribute[];
  readonly #offsets: readonly number[];
  readonly #segments: readonly ProfiledSegment[];
  /** One per segment, then the base. */
  readonly #tallies: GroupTally[];
  readonly #customerBins: Int32Array;

  /** `asOf`: event-time "now" for recency, tenure and status. */
  constructor(attributes: readonly BinnedAttribute[], segments: readonly ProfiledSegment[], asOf: number) {
    this.asOf = asOf;
    this.#attributes = attributes;
    this.#offsets = binOffsets(attributes);
    this.#segments = segments;
    const binCount = attributes.reduce((sum, attribute) => sum + attribute.bins.length, 0);
    this.#tallies = [...segments, null].map(() => new GroupTally(binCount));
    this.#customerBins = new Int32Array(attributes.length);
  }

  /** Counts one customer. */
  add(state: CustomerState): void {
    const attributes = this.#attributes;
    for (let a = 0; a < attributes.length; a++) this.#customerBins[a] = this.#offsets[a]! + attributes[a]!.binOf(state, this.asOf);
    this.#count(this.#tallies[this.#segments.length]!, state);
    for (let s = 0; s < this.#segments.length; s++) {
      if ((state.segments & this.#segments[s]!.mask) !== 0) this.#count(this.#tallies[s]!, state);
    }
  }

  /** The profiles of everything added; `computedAt` is the clock time the scan ended. */
  finish(computedAt: number): SegmentProfiles {
    const groups: GroupCounts[] = this.#tallies.map((tally, index) => {
      const segment = this.#segments[index];
      return {
        id: segment?.id ?? BASE_PROFILE,
        title: segment?.title ?? "Every customer in memory",
        customers: tally.customers,
        bins: tally.bins,
        categories: tally.categories,
        summary: summarize(tally),
      };
    });
    return new SegmentProfiles({ asOf: this.asOf, computedAt, baseCustomers: this.#tallies.at(-1)!.customers }, this.#attributes, groups);
  }

  #count(tally: GroupTally, state: CustomerState): void {
    tally.customers++;
    for (let a = 0; a < this.#customerBins.length; a++) tally.bins[this.#customerBins[a]!]!++;
    for (const category of state.categories) tally.categories.set(category, (tally.categories.get(category) ?? 0) + 1);
    for (let c = 0; c < CHANNELS.length; c++) tally.channelEvents[c]! += state.eventsByChannel[c]!;
    tally.revenue.push(state.revenue);
    tally.profit.push(state.revenue - state.cost);
    tally.tenure.push(state.tenureDays(this.asOf));
    tally.purchases.push(state.purchases);
  }
}

function summarize(tally: GroupTally): ProfileSummary {
  const events = tally.channelEvents.reduce((sum, n) => sum + n, 0);
  const channelMix: Partial<Record<Channel, number>> = {};
  CHANNELS.forEach((channel, c) => {
    if (tally.channelEvents[c]! > 0) channelMix[channel] = tally.channelEvents[c]! / events;
  });
  return {
    revenue: { ...measure(tally.revenue), total: sum(tally.revenue) },
    profit: { ...measure(tally.profit), total: sum(tally.profit) },
    tenureDays: measure(tally.tenure),
    purchases: measure(tally.purchases),
    channelMix,
  };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Mean and median (the mean of the middle two for an even count). */
function measure(values: number[]): MeasureSummary {
  const n = values.length;
  if (n === 0) return { mean: null, median: null };
  const sorted = Float64Array.from(values).sort();
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { mean: sum(values) / n, median };
}
