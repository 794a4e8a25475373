import type { CustomerState } from "../../state/CustomerState.js";
import { LOOKALIKE_CATEGORIES, type BinnedAttribute } from "./ProfileAttributes.js";
import { binOffsets, type SegmentProfiles } from "./SegmentProfiles.js";

/** Laplace smoothing: one pseudo-customer in every bin, so an empty bin never gives an infinite log ratio. */
const SMOOTHING = 1;

/**
 * How much a customer looks like a segment's members rather than the rest of the base,
 * 0 to 1: naive Bayes over the binned profile attributes (engine/segments/profiles),
 * members against non-members,
 *
 *   P(member | x) = σ( log(n_S / n_¬S) + Σ_a log P(x_a | S) / P(x_a | ¬S) ),
 *
 * with each P(bin | group) = (count + 1) / (customers + bins) (Laplace) and the
 * segment's share of the base as the prior. The base's most held categories
 * (LOOKALIKE_CATEGORIES) count as yes/no attributes. The log ratios are worked out
 * once per profile refresh into one Float64Array per segment, so a score is a few
 * table reads and one exp: rules call it and it allocates nothing.
 *
 * Before any profile exists, a segment's score is its share of the base now (the
 * prior with no evidence), from `fallback`. A segment with no members scores 0 and one
 * holding the whole base scores 1.
 */
export class Lookalike {
  readonly #attributes: readonly BinnedAttribute[];
  readonly #offsets: Int32Array;
  /** Table layout: [prior log-odds, attributes' bins..., per category (held, not held)...]. */
  readonly #categoryStart: number;
  #tables: readonly Float64Array[] = [];
  #categories: readonly string[] = [];
  readonly #fallback: (segment: number) => number;

  /** `attributes`: all the profile's attributes (those not `inLookalike` are skipped). */
  constructor(attributes: readonly BinnedAttribute[], fallback: (segment: number) => number) {
    this.#attributes = attributes.filter((attribute) => attribute.inLookalike);
    this.#offsets = Int32Array.from(binOffsets(this.#attributes), (offset) => offset + 1);
    this.#categoryStart = 1 + this.#attributes.reduce((sum, attribute) => sum + attribute.bins.length, 0);
    this.#fallback = fallback;
  }

  /** Whether scores come from a profile (else from the fallback). */
  get ready(): boolean {
    return this.#tables.length > 0;
  }

  /** Takes new profiles: the log-ratio tables of every segment are rebuilt here, not per score. */
  install(profiles: SegmentProfiles): void {
    const base = profiles.base;
    const categories = [...base.categories]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, LOOKALIKE_CATEGORIES)
      .map(([category]) => category);
    const allOffsets = binOffsets(profiles.attributes);
    const tables = profiles.groups.slice(0, -1).map((group) => {
      const table = new Float64Array(this.#categoryStart + 2 * categories.length);
      const members = group.customers;
      const others = base.customers - members;
      table[0] = Math.log(members) - Math.log(others);
      let at = 1;
      profiles.attributes.forEach((attribute, a) => {
        if (!attribute.inLookalike) return;
        const bins = attribute.bins.length;
        for (let b = 0; b < bins; b++) {
          const inSegment = group.bins[allOffsets[a]! + b]!;
          const inOthers = base.bins[allOffsets[a]! + b]! - inSegment;
          table[at++] = logRatio(inSegment, members, inOthers, others, bins);
        }
      });
      categories.forEach((category, k) => {
        const held = group.categories.get(category) ?? 0;
        const heldByOthers = (base.categories.get(category) ?? 0) - held;
        table[this.#categoryStart + 2 * k] = logRatio(held, members, heldByOthers, others, 2);
        table[this.#categoryStart + 2 * k + 1] = logRatio(members - held, members, others - heldByOthers, others, 2);
      });
      return table;
    });
    this.#tables = tables;
    this.#categories = categories;
  }

  /** The score of a customer for the segment at index `segment` (its membership bit), at event time `now`. */
  score(segment: number, state: CustomerState, now: number): number {
    const table = this.#tables[segment];
    if (table === undefined) return this.#fallback(segment);
    let logOdds = table[0]!;
    // An empty base when the profiles were computed.
    if (Number.isNaN(logOdds)) return this.#fallback(segment);
    // No members (−∞) or no one else (+∞): nothing to weigh.
    if (logOdds === Number.NEGATIVE_INFINITY) return 0;
    if (logOdds === Number.POSITIVE_INFINITY) return 1;
    const attributes = this.#attributes;
    for (let a = 0; a < attributes.length; a++) logOdds += table[this.#offsets[a]! + attributes[a]!.binOf(state, now)]!;
    const categories = this.#categories;
    for (let k = 0; k < categories.length; k++) {
      logOdds += table[this.#categoryStart + 2 * k + (state.categories.includes(categories[k]!) ? 0 : 1)]!;
    }
    return 1 / (1 + Math.exp(-logOdds));
  }
}

/** log P(bin | S) / P(bin | ¬S), each smoothed over `bins` bins. */
function logRatio(inSegment: number, members: number, inOthers: number, others: number, bins: number): number {
  return Math.log((inSegment + SMOOTHING) / (members + SMOOTHING * bins)) - Math.log((inOthers + SMOOTHING) / (others + SMOOTHING * bins));
}

/** Scores nothing (NaN): what a rule context holds until an engine gives it its own. */
export const NO_LOOKALIKE = new Lookalike([], () => Number.NaN);
