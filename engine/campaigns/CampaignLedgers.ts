import { CampaignLedger, type CampaignLedgerSnapshot } from "./CampaignLedger.js";
import type { CompiledCampaign } from "./CompiledCampaign.js";
import type { ExperimentArm } from "./ExperimentDesign.js";

/** Each campaign's counters per arm, by campaign id; they outlive reloads that keep the campaign and its arms. */
export class CampaignLedgers {
  readonly #byId = new Map<string, CampaignLedger>();

  /** The campaign's ledger; a new campaign, or one whose arms changed on a reload, starts its counts anew. */
  of(campaign: CompiledCampaign): CampaignLedger {
    let ledger = this.#byId.get(campaign.id);
    if (ledger === undefined || !sameArms(ledger.arms, campaign.design.arms)) {
      ledger = CampaignLedger.forDesign(campaign.design);
      this.#byId.set(campaign.id, ledger);
    }
    return ledger;
  }

  toSnapshot(): CampaignLedgerSnapshot[] {
    return [...this.#byId.values()].map((ledger) => ledger.toSnapshot());
  }

  restore(snapshots: readonly CampaignLedgerSnapshot[]): void {
    for (const snapshot of snapshots) this.#byId.set(snapshot.campaignId, CampaignLedger.fromSnapshot(snapshot));
  }
}

function sameArms(ledgerArms: readonly string[], designArms: readonly ExperimentArm[]): boolean {
  return ledgerArms.length === designArms.length && ledgerArms.every((arm, i) => arm === designArms[i]!.arm);
}
