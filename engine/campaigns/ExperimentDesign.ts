import { fmix32, hashString, UINT32_RANGE } from "../models/FeatureVector.js";

/** The arm of customers held out: they get no action, and their outcomes are tracked as the baseline. */
export const CONTROL_ARM = "control";

/** One variant of a campaign's treatment and its share of the treated customers, relative to the other variants' weights. */
export interface VariantSpec {
  readonly id: string;
  readonly weight: number;
}

/**
 * An arm of the design: the control or a variant, with the probability that a customer
 * lands in it. `assign` hands out these objects themselves, so a decision can log the
 * arm and its probability (for off-policy evaluation) without an allocation.
 */
export interface ExperimentArm {
  /** `CONTROL_ARM` or a variant's id. */
  readonly arm: string;
  /** The probability of this arm under the design: the control share, or (1 - control share) × weight / total weight. */
  readonly probability: number;
  /** The arm's position in `ExperimentDesign.arms`: 0 is the control, the variants follow in id order. */
  readonly index: number;
}

/** Between the campaign id and the customer id, so ("ab", "c") and ("a", "bc") hash apart; neither id can contain it. */
const SEPARATOR = "\u001f";
/** XORed into the first point's hash before mixing it into the second (2^32 / golden ratio, any odd constant would do). */
const VARIANT_SALT = 0x9e3779b9;

/**
 * A campaign's test design: a control share held out and variants split by weight,
 * validated and frozen at load. A customer's arm is a pure function of the campaign id
 * and the customer id (no channel, no time, no state), so every channel, instance and
 * restart agrees on it, and an engine that was down assigns it the same when it is back.
 *
 * Two points in [0, 1) come from one hash: the first decides the control (below the
 * control share), the second, for the treated, picks the variant by weight (variants in
 * id order). With two points rather than one cut into intervals, raising the control
 * share only moves customers from the variants into the control, never between
 * variants, and re-weighting the variants moves nobody into or out of the control;
 * ordering the variants by id means listing them in another order moves nobody.
 */
export class ExperimentDesign {
  readonly campaignId: string;
  readonly controlShare: number;
  /** The control first (always present, with probability 0 when the share is 0), then the variants in id order. */
  readonly arms: readonly ExperimentArm[];
  /** FNV-1a state after the campaign id and the separator: each customer id continues from it. */
  readonly #seed: number;
  /** The upper end of each variant's interval of the second point's [0, 1), the last one exactly 1. */
  readonly #variantUpper: Float64Array;

  /** Throws a `RangeError` naming the campaign and the problem: a design is checked once, at load. */
  constructor(campaignId: string, controlShare: number, variants: readonly VariantSpec[]) {
    if (typeof campaignId !== "string" || campaignId.length === 0) throw new RangeError("campaign id must be a non-empty string");
    const where = `campaign "${campaignId}"`;
    if (!Number.isFinite(controlShare) || controlShare < 0 || controlShare >= 1) {
      throw new RangeError(`${where}: control share must be a number from 0 up to (not including) 1, got ${controlShare}`);
    }
    if (!Array.isArray(variants) || variants.length === 0) throw new RangeError(`${where}: a design needs at least one variant`);
    const seen = new Set<string>();
    let totalWeight = 0;
    for (const { id, weight } of variants) {
      if (typeof id !== "string" || id.length === 0) throw new RangeError(`${where}: a variant id must be a non-empty string`);
      if (id === CONTROL_ARM) throw new RangeError(`${where}: "${CONTROL_ARM}" is the held-out arm and cannot be a variant id`);
      if (seen.has(id)) throw new RangeError(`${where}: duplicate variant id "${id}"`);
      seen.add(id);
      if (!Number.isFinite(weight) || weight <= 0) throw new RangeError(`${where}: variant "${id}" must have a positive weight, got ${weight}`);
      totalWeight += weight;
    }

    const sorted = [...variants].sort((a, b) => (a.id < b.id ? -1 : 1));
    const treated = 1 - controlShare;
    const arms: ExperimentArm[] = [Object.freeze({ arm: CONTROL_ARM, probability: controlShare, index: 0 })];
    const variantUpper = new Float64Array(sorted.length);
    let cumulative = 0;
    sorted.forEach(({ id, weight }, i) => {
      cumulative += weight;
      arms.push(Object.freeze({ arm: id, probability: (treated * weight) / totalWeight, index: i + 1 }));
      variantUpper[i] = cumulative / totalWeight;
    });
    // Rounding must not leave a sliver below 1 that no variant covers.
    variantUpper[sorted.length - 1] = 1;

    this.campaignId = campaignId;
    this.controlShare = controlShare;
    this.arms = Object.freeze(arms);
    this.#seed = hashString(SEPARATOR, hashString(campaignId));
    this.#variantUpper = variantUpper;
    Object.freeze(this);
  }

  /** The customer's first point in [0, 1) for this campaign, the one the control share cuts: FNV-1a of (campaign, customer), finalized by fmix32. */
  bucket(customerId: string): number {
    return fmix32(hashString(customerId, this.#seed)) / UINT32_RANGE;
  }

  /** The index in `arms` of the customer's arm; allocates nothing. */
  armIndex(customerId: string): number {
    const h = fmix32(hashString(customerId, this.#seed));
    if (h / UINT32_RANGE < this.controlShare) return 0;
    // The second point: the finalized hash salted and mixed again, so it does not follow the first.
    const v = fmix32(h ^ VARIANT_SALT) / UINT32_RANGE;
    const upper = this.#variantUpper;
    // A handful of variants: a linear scan beats a binary search.
    let i = 0;
    while (v >= upper[i]!) i++;
    return i + 1;
  }

  /** The customer's arm and its probability under the design: one of `arms`, shared, not a new object. */
  assign(customerId: string): ExperimentArm {
    return this.arms[this.armIndex(customerId)]!;
  }
}
