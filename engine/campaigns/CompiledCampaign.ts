import type { Reason } from "../decisions/Decision.js";
import type { RuleContext } from "../decisions/RuleContext.js";
import type { CampaignDefinition } from "../EngineSettings.js";
import type { CompiledRule } from "../rules/compileRule.js";
import { ExperimentDesign } from "./ExperimentDesign.js";

/** A campaign checked and compiled once per (re)load, with the reasons it gives when it holds an action back. */
export class CompiledCampaign {
  readonly id: string;
  readonly title: string;
  readonly audience: CompiledRule<RuleContext, boolean> | null;
  readonly actionIds: ReadonlySet<string>;
  readonly startTs: number;
  readonly endTs: number;
  readonly maxContacts: number;
  readonly responseWindowMs: number;
  readonly design: ExperimentDesign;
  readonly outsideAudience: Reason;
  readonly outsideSchedule: Reason;
  readonly volumeReached: Reason;
  readonly heldOut: Reason;
  /** By arm index: the reason a chosen action carries, with the arm's probability (for off-policy evaluation). */
  readonly armReasons: readonly Reason[];
  /** By arm index: the treatment id the arm's variant names, if any (the control's is always undefined). */
  readonly armTreatments: readonly (string | undefined)[];

  constructor(definition: CampaignDefinition, audience: CompiledRule<RuleContext, boolean> | null) {
    this.id = definition.id;
    this.title = definition.title ?? definition.id;
    this.audience = audience;
    this.actionIds = new Set(definition.actions);
    this.startTs = definition.startTs;
    this.endTs = definition.endTs;
    this.maxContacts = definition.maxContacts;
    this.responseWindowMs = definition.responseWindowMs;
    this.design = new ExperimentDesign(definition.id, definition.controlShare, definition.variants);
    const reason = (code: Reason["code"], detail: string): Reason => Object.freeze({ code, detail });
    this.outsideAudience = reason("campaign", `not in the audience of ${this.id}: ${audience?.source ?? ""}`);
    this.outsideSchedule = reason("campaign", `${this.id} is not running now`);
    this.volumeReached = reason("campaign", `${this.id} reached its ${this.maxContacts} contacts`);
    this.heldOut = reason("experiment", `control group of ${this.id}: no action, outcomes tracked`);
    const treatmentOf = new Map(definition.variants.map((variant) => [variant.id, variant.treatment]));
    this.armTreatments = this.design.arms.map((arm) => treatmentOf.get(arm.arm));
    this.armReasons = this.design.arms.map((arm) => reason("experiment", `${this.id}: arm ${arm.arm} (p=${arm.probability.toPrecision(4)})`));
  }

  runningAt(ts: number): boolean {
    return ts >= this.startTs && ts < this.endTs;
  }
}
