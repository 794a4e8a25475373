import type { OutcomeMask } from "./CampaignLedger.js";

/**
 * A customer's exposure to a campaign: a decision that offered its action (a variant),
 * or would have and held it back (the control). Outcomes within the campaign's response
 * window are joined to it: responses to the decision by its id, and for both sides alike
 * the customer's purchases as conversions. It lives in the customer's state, so
 * checkpoints, eviction and loading carry it along.
 */
export class CampaignExposure {
  readonly campaignId: string;
  /** Index in the campaign's arms (ExperimentDesign.arms: the control first). */
  readonly arm: number;
  readonly decisionId: string;
  /** Event time of the decision: outcomes count until `ts` + the campaign's response window. */
  readonly ts: number;
  /** The outcomes already counted for it (CampaignLedger.record). */
  outcomes: OutcomeMask;

  constructor(campaignId: string, arm: number, decisionId: string, ts: number, outcomes: OutcomeMask) {
    this.campaignId = campaignId;
    this.arm = arm;
    this.decisionId = decisionId;
    this.ts = ts;
    this.outcomes = outcomes;
  }
}
