import type { OfferResponse } from "../events/eventSchema.js";
import type { ExperimentDesign } from "./ExperimentDesign.js";

/**
 * The outcomes one contact has had so far, as bits: the engine keeps this small integer
 * with the decision it joins responses to, starting from `NO_OUTCOMES`, and passes it
 * back to `record`, which counts each kind of outcome once per contact. That keeps every
 * rate a proportion of contacts (at most 1), which the lift statistics need.
 */
export type OutcomeMask = number;
export const NO_OUTCOMES: OutcomeMask = 0;

const OUTCOME_BIT: Readonly<Record<OfferResponse, number>> = { impression: 1, click: 2, accept: 4, decline: 8, convert: 16 };
/** A positive response: the customer acted on the offer. A decline is counted, but it is not a response to win on. */
const RESPONSE_BITS = OUTCOME_BIT.click | OUTCOME_BIT.accept | OUTCOME_BIT.convert;

/** One arm's counters, as reports and checkpoints carry them. */
export interface ArmCounters {
  readonly arm: string;
  /** Decisions made for customers in the arm; for the control, decisions that would have been made (no action was sent). */
  readonly contacts: number;
  /** Contacts with an impression, a click, an accept, a decline, a conversion: each kind counted once per contact. */
  readonly impressions: number;
  readonly clicks: number;
  readonly accepts: number;
  readonly declines: number;
  readonly conversions: number;
  /** Contacts with a positive response: a click, an accept or a conversion. */
  readonly responses: number;
  /** Revenue of every conversion joined to the arm's contacts (a contact converting twice adds both). */
  readonly revenue: number;
}

/** A ledger as plain data for checkpoints. */
export interface CampaignLedgerSnapshot {
  readonly campaignId: string;
  readonly arms: readonly ArmCounters[];
}

/** Counter positions in a row of the ledger; `revenue` last. */
const MEASURES = ["contacts", "impressions", "clicks", "accepts", "declines", "conversions", "responses", "revenue"] as const;
const CONTACTS = 0;
const RESPONSES = 6;
const REVENUE = 7;
/** The row position of each outcome's counter. */
const OUTCOME_MEASURE: Readonly<Record<OfferResponse, number>> = { impression: 1, click: 2, accept: 3, decline: 4, convert: 5 };

/**
 * One campaign's counters per arm, kept incrementally as the engine makes decisions and
 * joins outcomes to them: one row of a Float64Array per arm (integers stay exact to
 * 2^53), so recording allocates nothing. The ledger does not know time: the engine
 * decides which outcomes fall in the response window and reports them as "a contact in
 * arm Y had outcome Z with revenue R". For the control, which gets no action, the
 * outcome is the customer's own behaviour in the window (a purchase reported as
 * `convert` with its revenue), so both sides of the comparison count the same thing.
 */
export class CampaignLedger {
  readonly campaignId: string;
  /** Arm ids by index: `ExperimentDesign.arms` order, the control first. */
  readonly arms: readonly string[];
  readonly #counts: Float64Array;
  #totalContacts = 0;
  readonly #indexOf: ReadonlyMap<string, number>;

  constructor(campaignId: string, arms: readonly string[]) {
    if (arms.length === 0) throw new RangeError(`campaign "${campaignId}": a ledger needs at least one arm`);
    if (new Set(arms).size !== arms.length) throw new RangeError(`campaign "${campaignId}": duplicate arm ids in [${arms.join(", ")}]`);
    this.campaignId = campaignId;
    this.arms = Object.freeze([...arms]);
    this.#counts = new Float64Array(arms.length * MEASURES.length);
    this.#indexOf = new Map(arms.map((arm, i) => [arm, i]));
  }

  /** A ledger with the design's arms, indexed as `design.armIndex` returns them. */
  static forDesign(design: ExperimentDesign): CampaignLedger {
    return new CampaignLedger(
      design.campaignId,
      design.arms.map((a) => a.arm),
    );
  }

  /** Throws a `RangeError` on a snapshot that is not a ledger's: a checkpoint is read at start-up. */
  static fromSnapshot(snapshot: CampaignLedgerSnapshot): CampaignLedger {
    const ledger = new CampaignLedger(
      snapshot.campaignId,
      snapshot.arms.map((a) => a.arm),
    );
    snapshot.arms.forEach((counters, i) => {
      MEASURES.forEach((measure, m) => {
        const value = counters[measure];
        if (!Number.isFinite(value) || value < 0) {
          throw new RangeError(`campaign "${snapshot.campaignId}" arm "${counters.arm}": ${measure} must be a non-negative number, got ${value}`);
        }
        ledger.#counts[i * MEASURES.length + m] = value;
        if (m === CONTACTS) ledger.#totalContacts += value;
      });
    });
    return ledger;
  }

  /** The index of an arm by id (a decision logs the id), or -1 for an arm the ledger does not have. */
  armIndex(arm: string): number {
    return this.#indexOf.get(arm) ?? -1;
  }

  /** A decision for a customer in arm `arm` (an index); for the control, a decision withheld. */
  contact(arm: number): void {
    this.#counts[this.#row(arm) + CONTACTS]!++;
    this.#totalContacts++;
  }

  /** Contacts over every arm, the control's included: what a campaign's volume cap counts. */
  get totalContacts(): number {
    return this.#totalContacts;
  }

  /**
   * An outcome of one contact in arm `arm`: `seen` is the contact's mask so far, the
   * result is the mask to keep. An outcome already seen is not counted again, except
   * that a further conversion adds its revenue. `revenue` is read for `convert` only.
   */
  record(arm: number, outcome: OfferResponse, revenue: number, seen: OutcomeMask): OutcomeMask {
    const row = this.#row(arm);
    const bit = OUTCOME_BIT[outcome];
    const counts = this.#counts;
    if ((seen & bit) === 0) {
      counts[row + OUTCOME_MEASURE[outcome]]!++;
      if ((bit & RESPONSE_BITS) !== 0 && (seen & RESPONSE_BITS) === 0) counts[row + RESPONSES]!++;
    }
    if (outcome === "convert") counts[row + REVENUE]! += revenue;
    return seen | bit;
  }

  /** One arm's counters, by index. */
  counters(arm: number): ArmCounters {
    const row = this.#row(arm);
    const c = this.#counts;
    return {
      arm: this.arms[arm]!,
      contacts: c[row + CONTACTS]!,
      impressions: c[row + OUTCOME_MEASURE.impression]!,
      clicks: c[row + OUTCOME_MEASURE.click]!,
      accepts: c[row + OUTCOME_MEASURE.accept]!,
      declines: c[row + OUTCOME_MEASURE.decline]!,
      conversions: c[row + OUTCOME_MEASURE.convert]!,
      responses: c[row + RESPONSES]!,
      revenue: c[row + REVENUE]!,
    };
  }

  toSnapshot(): CampaignLedgerSnapshot {
    return { campaignId: this.campaignId, arms: this.arms.map((_, i) => this.counters(i)) };
  }

  /** An index outside the arms is a bug in the caller (a design and a ledger that do not match): it throws rather than count nowhere. */
  #row(arm: number): number {
    if (!(arm >= 0 && arm < this.arms.length) || !Number.isInteger(arm)) {
      throw new RangeError(`campaign "${this.campaignId}" has arms 0 to ${this.arms.length - 1}, got ${arm}`);
    }
    return arm * MEASURES.length;
  }
}
