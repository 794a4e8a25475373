import type { Channel } from "../../events/Channel.js";
import { PROFILE_TOP_CATEGORIES, type BinnedAttribute } from "./ProfileAttributes.js";

/** The name under which the whole base (every customer in memory) is profiled and compared. */
export const BASE_PROFILE = "base";

/** Mean and median of one measure over a profile's customers; null without customers. */
export interface MeasureSummary {
  readonly mean: number | null;
  readonly median: number | null;
}

export interface ProfileSummary {
  readonly revenue: MeasureSummary & { readonly total: number };
  readonly profit: MeasureSummary & { readonly total: number };
  readonly tenureDays: MeasureSummary;
  readonly purchases: MeasureSummary;
  /** Share of the customers' events on each channel (channels with none left out). */
  readonly channelMix: Readonly<Partial<Record<Channel, number>>>;
}

export interface BinShare {
  readonly bin: string;
  readonly customers: number;
  /** Of the profile's customers; 0 without customers. */
  readonly share: number;
}

export interface AttributeDistribution {
  readonly attribute: string;
  readonly description: string;
  readonly bins: readonly BinShare[];
}

/** A category and the share of the profile's customers who bought in it (shares add up to more than 1). */
export interface CategoryShare {
  readonly category: string;
  readonly customers: number;
  readonly share: number;
}

/** When a set of profiles was computed, and over what. */
export interface ProfilesStamp {
  /** Event-time "now" (the watermark) recency, tenure and status were measured at. */
  readonly asOf: number;
  /** Clock time the scan finished. */
  readonly computedAt: number;
  /** Customers in memory the scan covered: the base. */
  readonly baseCustomers: number;
}

/** What a segment's members (or the whole base) look like. */
export interface SegmentProfile extends ProfilesStamp {
  /** Segment id, or "base". */
  readonly segment: string;
  readonly title: string;
  readonly customers: number;
  /** The profile's customers over the base's; null for an empty base. */
  readonly shareOfBase: number | null;
  readonly summary: ProfileSummary;
  readonly attributes: readonly AttributeDistribution[];
  /** The most held categories, most first. */
  readonly categories: readonly CategoryShare[];
}

export interface BinComparison {
  readonly bin: string;
  readonly a: number;
  readonly b: number;
  /** a / b; null when b is 0. */
  readonly lift: number | null;
}

export interface AttributeComparison {
  readonly attribute: string;
  readonly description: string;
  /**
   * Total variation distance between the two distributions (½ Σ |a − b|, 0 to 1: the
   * share of customers that would have to change bin). For `categories`, the largest
   * |a − b| over the categories, each a yes/no attribute.
   */
  readonly difference: number;
  readonly bins: readonly BinComparison[];
}

export interface ProfileComparison extends ProfilesStamp {
  readonly a: { readonly segment: string; readonly title: string; readonly customers: number; readonly summary: ProfileSummary };
  readonly b: { readonly segment: string; readonly title: string; readonly customers: number; readonly summary: ProfileSummary };
  /** Most different first: the top of the list is what sets `a` apart from `b`. */
  readonly attributes: readonly AttributeComparison[];
  readonly method: string;
}

/** One profiled group's counts, as the scan left them. */
export interface GroupCounts {
  readonly id: string;
  readonly title: string;
  readonly customers: number;
  /** Customers per bin, the attributes' bins one after the other. */
  readonly bins: Float64Array;
  /** Customers who bought in each category. */
  readonly categories: ReadonlyMap<string, number>;
  readonly summary: ProfileSummary;
}

const COMPARISON_METHOD =
  "Per attribute, the share of each profile's customers in each bin, side by side, with the lift a / b. Attributes are ranked by the " +
  "total variation distance between the two distributions (½ Σ |a − b|); product categories are yes/no attributes, and their distance " +
  "is the largest |a − b| over the categories. Over the customers in memory when the profiles were computed.";

/**
 * The profiles of every segment and of the base from one scan of the customers in
 * memory: derived data, recomputed from state and never checkpointed.
 */
export class SegmentProfiles {
  readonly stamp: ProfilesStamp;
  readonly attributes: readonly BinnedAttribute[];
  /** The segments in definition order, then the base. */
  readonly groups: readonly GroupCounts[];
  readonly #offsets: readonly number[];
  readonly #byId: ReadonlyMap<string, GroupCounts>;

  constructor(stamp: ProfilesStamp, attributes: readonly BinnedAttribute[], groups: readonly GroupCounts[]) {
    this.stamp = Object.freeze({ ...stamp });
    this.attributes = attributes;
    this.groups = groups;
    this.#offsets = binOffsets(attributes);
    this.#byId = new Map(groups.map((group) => [group.id, group]));
  }

  /** Segment ids, then "base". */
  get ids(): string[] {
    return this.groups.map((group) => group.id);
  }

  get base(): GroupCounts {
    return this.groups[this.groups.length - 1]!;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** A segment's (or the base's) profile; throws a RangeError for an unknown id. */
  profile(id: string): SegmentProfile {
    const group = this.#group(id);
    const n = group.customers;
    const baseN = this.base.customers;
    return {
      segment: group.id,
      title: group.title,
      ...this.stamp,
      customers: n,
      shareOfBase: baseN === 0 ? null : n / baseN,
      summary: group.summary,
      attributes: this.attributes.map((attribute, a) => ({
        attribute: attribute.name,
        description: attribute.description,
        bins: attribute.bins.map((bin, b) => {
          const customers = group.bins[this.#offsets[a]! + b]!;
          return { bin, customers, share: share(customers, n) };
        }),
      })),
      categories: [...group.categories]
        .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
        .slice(0, PROFILE_TOP_CATEGORIES)
        .map(([category, customers]) => ({ category, customers, share: share(customers, n) })),
    };
  }

  /** `a` against `b`, attribute by attribute, most different first; throws a RangeError for an unknown id. */
  compare(aId: string, bId: string): ProfileComparison {
    const a = this.#group(aId);
    const b = this.#group(bId);
    const attributes: AttributeComparison[] = this.attributes.map((attribute, index) => {
      const offset = this.#offsets[index]!;
      let distance = 0;
      const bins = attribute.bins.map((bin, k) => {
        const shareA = share(a.bins[offset + k]!, a.customers);
        const shareB = share(b.bins[offset + k]!, b.customers);
        distance += Math.abs(shareA - shareB);
        return { bin, a: shareA, b: shareB, lift: lift(shareA, shareB) };
      });
      return { attribute: attribute.name, description: attribute.description, difference: distance / 2, bins };
    });
    attributes.push(compareCategories(a, b));
    // Without customers on one side there is nothing to tell apart.
    const ranked = a.customers === 0 || b.customers === 0 ? attributes.map((x) => ({ ...x, difference: 0 })) : attributes;
    // A stable sort: equal distances keep the attributes' order.
    ranked.sort((x, y) => y.difference - x.difference);
    const side = (group: GroupCounts) => ({ segment: group.id, title: group.title, customers: group.customers, summary: group.summary });
    return { ...this.stamp, a: side(a), b: side(b), attributes: ranked, method: COMPARISON_METHOD };
  }

  #group(id: string): GroupCounts {
    const group = this.#byId.get(id);
    if (group === undefined) throw new RangeError(`unknown segment ${JSON.stringify(id)}; profiled: ${this.ids.join(", ")}`);
    return group;
  }
}

/** Where each attribute's bins start in GroupCounts.bins. */
export function binOffsets(attributes: readonly BinnedAttribute[]): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const attribute of attributes) {
    offsets.push(at);
    at += attribute.bins.length;
  }
  return offsets;
}

function share(count: number, of: number): number {
  return of === 0 ? 0 : count / of;
}

function lift(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

function compareCategories(a: GroupCounts, b: GroupCounts): AttributeComparison {
  let distance = 0;
  for (const category of new Set([...a.categories.keys(), ...b.categories.keys()])) {
    const d = Math.abs(share(a.categories.get(category) ?? 0, a.customers) - share(b.categories.get(category) ?? 0, b.customers));
    if (d > distance) distance = d;
  }
  const top = (group: GroupCounts) =>
    [...group.categories]
      .sort((x, y) => y[1] - x[1])
      .slice(0, PROFILE_TOP_CATEGORIES)
      .map(([category]) => category);
  const shown = [...new Set([...top(a), ...top(b)])];
  const bins = shown.map((category) => {
    const shareA = share(a.categories.get(category) ?? 0, a.customers);
    const shareB = share(b.categories.get(category) ?? 0, b.customers);
    return { bin: category, a: shareA, b: shareB, lift: lift(shareA, shareB) };
  });
  bins.sort((x, y) => y.a - x.a || y.b - x.b);
  return { attribute: "categories", description: "product categories bought (share of customers holding each)", difference: distance, bins };
}
