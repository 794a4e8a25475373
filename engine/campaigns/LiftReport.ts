import type { ArmCounters, CampaignLedgerSnapshot } from "./CampaignLedger.js";
import { CONTROL_ARM } from "./ExperimentDesign.js";
import { erfc, Z_95 } from "./normalCdf.js";

/**
 * A variant's rate against the control's, both proportions of contacts. Every field is
 * null where the counts cannot give it (never NaN, which a wire object cannot carry):
 * the rates when an arm has no contacts, the relative lift when the control rate is 0,
 * the z-test when the two arms have no variation at all (both rates 0, or both 1).
 */
export interface ProportionComparison {
  readonly control: number | null;
  readonly variant: number | null;
  /** variant − control. */
  readonly absoluteLift: number | null;
  /** (variant − control) / control. */
  readonly relativeLift: number | null;
  /** The 95% Wald interval of the difference: absoluteLift ± 1.96 · √(p_v(1−p_v)/n_v + p_c(1−p_c)/n_c). */
  readonly ci95Low: number | null;
  readonly ci95High: number | null;
  /** The two-proportion z statistic with the pooled standard error √(p(1−p)(1/n_v + 1/n_c)), p = all successes / all contacts. */
  readonly z: number | null;
  /** Two-sided: P(|Z| ≥ |z|) = erfc(|z|/√2). */
  readonly pValue: number | null;
}

/** An arm's counters and the rates per contact, null without contacts. */
export interface ArmSummary extends ArmCounters {
  readonly responseRate: number | null;
  readonly conversionRate: number | null;
  readonly revenuePerContact: number | null;
}

/** Revenue per contact of a variant against the control's (no interval: the ledger keeps sums, not the spread). */
export interface MeanComparison {
  readonly control: number | null;
  readonly variant: number | null;
  readonly absoluteLift: number | null;
  readonly relativeLift: number | null;
}

/** One variant against the control. */
export interface VariantLift {
  readonly arm: string;
  readonly responseRate: ProportionComparison;
  readonly conversionRate: ProportionComparison;
  readonly revenuePerContact: MeanComparison;
  /** Conversions the variant added over what its contacts would have done as the control did: (rate_v − rate_c) × contacts_v. */
  readonly incrementalConversions: number | null;
  /** (revenue per contact_v − revenue per contact_c) × contacts_v. */
  readonly incrementalRevenue: number | null;
}

/** A campaign's report: every arm's figures, and each variant's lift over the control. */
export interface LiftReport {
  readonly campaignId: string;
  readonly arms: readonly ArmSummary[];
  readonly variants: readonly VariantLift[];
}

const rate = (count: number, contacts: number): number | null => (contacts > 0 ? count / contacts : null);

/**
 * `variantSuccesses` of `variantTrials` against `controlSuccesses` of `controlTrials`.
 * The interval uses each arm's own variance (unpooled), which is right when the rates
 * differ; the test uses the pooled variance, which is right under its null hypothesis
 * that they do not. Both are large-sample normal approximations: with a handful of
 * successes, or a rate of 0 or 1 on one side, the Wald interval is too narrow.
 */
export function compareProportions(variantSuccesses: number, variantTrials: number, controlSuccesses: number, controlTrials: number): ProportionComparison {
  const variant = rate(variantSuccesses, variantTrials);
  const control = rate(controlSuccesses, controlTrials);
  if (variant === null || control === null) {
    return { control, variant, absoluteLift: null, relativeLift: null, ci95Low: null, ci95High: null, z: null, pValue: null };
  }
  const lift = variant - control;
  const se = Math.sqrt((variant * (1 - variant)) / variantTrials + (control * (1 - control)) / controlTrials);
  const pooled = (variantSuccesses + controlSuccesses) / (variantTrials + controlTrials);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / variantTrials + 1 / controlTrials));
  const z = pooledSe > 0 ? lift / pooledSe : null;
  return {
    control,
    variant,
    absoluteLift: lift,
    relativeLift: control > 0 ? lift / control : null,
    ci95Low: lift - Z_95 * se,
    ci95High: lift + Z_95 * se,
    z,
    pValue: z === null ? null : erfc(Math.abs(z) / Math.SQRT2),
  };
}

function summarise(counters: ArmCounters): ArmSummary {
  return {
    ...counters,
    responseRate: rate(counters.responses, counters.contacts),
    conversionRate: rate(counters.conversions, counters.contacts),
    revenuePerContact: rate(counters.revenue, counters.contacts),
  };
}

function compareMeans(variant: number | null, control: number | null): MeanComparison {
  const absoluteLift = variant === null || control === null ? null : variant - control;
  return { control, variant, absoluteLift, relativeLift: absoluteLift === null || control === 0 ? null : absoluteLift / control! };
}

/**
 * The report of a campaign from its ledger's counters (`CampaignLedger.toSnapshot()`):
 * computed when asked (a query or a scrape), never per event. A ledger without a
 * control arm is a bug of the caller, and throws.
 */
export function liftReport(ledger: CampaignLedgerSnapshot): LiftReport {
  const arms = ledger.arms.map(summarise);
  const c = arms.find((a) => a.arm === CONTROL_ARM);
  if (c === undefined) throw new RangeError(`campaign "${ledger.campaignId}" has no "${CONTROL_ARM}" arm to measure lift against`);
  const variants = arms
    .filter((a) => a.arm !== CONTROL_ARM)
    .map((v): VariantLift => {
      const conversionRate = compareProportions(v.conversions, v.contacts, c.conversions, c.contacts);
      const revenuePerContact = compareMeans(v.revenuePerContact, c.revenuePerContact);
      return {
        arm: v.arm,
        responseRate: compareProportions(v.responses, v.contacts, c.responses, c.contacts),
        conversionRate,
        revenuePerContact,
        incrementalConversions: conversionRate.absoluteLift === null ? null : conversionRate.absoluteLift * v.contacts,
        incrementalRevenue: revenuePerContact.absoluteLift === null ? null : revenuePerContact.absoluteLift * v.contacts,
      };
    });
  return { campaignId: ledger.campaignId, arms, variants };
}
