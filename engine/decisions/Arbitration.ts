import type { CampaignLedgers } from "../campaigns/CampaignLedgers.js";
import type { CompiledCampaign } from "../campaigns/CompiledCampaign.js";
import { CONTROL_ARM } from "../campaigns/ExperimentDesign.js";
import { CHANNELS } from "../events/Channel.js";
import type { OnlineModels } from "../models/OnlineModels.js";
import type { CustomerState } from "../state/CustomerState.js";
import type { ChannelSelection } from "./ChannelSelection.js";
import type { FilteredAction, RankedAction, Reason } from "./Decision.js";
import { actionReasons, actionValue, treatmentOn, type CompiledAction, type DecisionConfig, type Treatment } from "./DecisionConfig.js";
import { chooseFirst } from "./Exploration.js";
import type { RuleContext } from "./RuleContext.js";

/** A decide request's answer before it is a decision: the actions shown, what was removed and why, the campaign exposures, the first action's probability. */
export interface RequestRanking {
  readonly ranked: RankedAction[];
  readonly filtered: FilteredAction[];
  /** [campaign id, arm index] of each campaign action within the limit: variants shown and controls held back. */
  readonly exposures: [string, number][];
  readonly probability: number;
}

/**
 * The arbitration stages, for decide requests and triggers alike: channel, eligibility,
 * applicability, suitability, contact policy (`blocker`), campaign audience, schedule
 * and volume (`campaignArm`), value, score = propensity × value × weight, exploration,
 * the limit and the experiment's hold-back (`rankRequest`), and for `channel: best` the
 * channel (`chooseChannel`). Rules read the engine's rule context, which the caller
 * fills with the customer and the moment.
 */
export class Arbitration {
  #config: DecisionConfig;
  readonly #ctx: RuleContext;
  readonly #channels: ChannelSelection;
  readonly #models: OnlineModels | null;
  readonly #ledgers: CampaignLedgers;

  constructor(config: DecisionConfig, ctx: RuleContext, channels: ChannelSelection, models: OnlineModels | null, ledgers: CampaignLedgers) {
    this.#config = config;
    this.#ctx = ctx;
    this.#channels = channels;
    this.#models = models;
    this.#ledgers = ledgers;
  }

  reconfigure(config: DecisionConfig): void {
    this.#config = config;
  }

  /**
   * Ranks the catalog (the actions of `issue`, if given) for the customer in the rule
   * context on a channel (the models prepared for it): every action through the stages, the passing ones by score, the
   * first one perhaps explored, then the limit, a control customer's campaign action
   * held back in its ranking place (the reply is what the customer would have had, less
   * that action).
   */
  rankRequest(customerId: string, channelIndex: number, limit: number, decisionId: string, issue?: string): RequestRanking {
    const ctx = this.#ctx;
    const candidates: RankedAction[] = [];
    const filtered: FilteredAction[] = [];
    for (const action of this.#config.actions) {
      if (issue !== undefined && action.issue !== issue) {
        filtered.push({ actionId: action.id, reason: { code: "issue", detail: `serves ${action.issue === "" ? "no issue" : `issue ${action.issue}`}; the request asked for ${issue}` } });
        continue;
      }
      const blocker = this.blocker(action, channelIndex);
      if (blocker !== null) {
        filtered.push({ actionId: action.id, reason: blocker });
        continue;
      }
      const campaign = this.#config.campaignOf.get(action.id);
      const arm = campaign === undefined ? -1 : this.campaignArm(campaign, customerId);
      if (typeof arm !== "number") {
        filtered.push({ actionId: action.id, reason: arm });
        continue;
      }
      const value = actionValue(action, ctx);
      if (Number.isNaN(value)) {
        filtered.push({ actionId: action.id, reason: noValueReason(action) });
        continue;
      }
      candidates.push(rankedAction(action, channelIndex, value, this.#models?.preparedResponse(action.id) ?? 1, NO_REASONS, campaign, arm));
    }
    candidates.sort((a, b) => b.score - a.score);
    const probability = this.#explore(decisionId, candidates);
    const ranked: RankedAction[] = [];
    const exposures: [string, number][] = [];
    candidates.forEach((candidate, rank) => {
      if (rank >= limit) {
        filtered.push({ actionId: candidate.actionId, reason: { code: "limit", detail: `ranked ${rank + 1} of ${candidates.length}; the reply holds ${limit}` } });
        return;
      }
      const campaign = candidate.campaign;
      if (campaign !== undefined) {
        const compiled = this.#config.campaignOf.get(candidate.actionId)!;
        exposures.push([campaign.id, compiled.design.armIndex(customerId)]);
        if (campaign.arm === CONTROL_ARM) {
          filtered.push({ actionId: candidate.actionId, reason: compiled.heldOut });
          return;
        }
      }
      ranked.push(candidate);
    });
    return { ranked, filtered, exposures, probability };
  }

  /**
   * Why an action cannot be offered on a channel to the customer in the rule context, or
   * null: the first stage that removes it (channel, eligibility, applicability,
   * suitability, contact policy).
   */
  blocker(action: CompiledAction, channelIndex: number): Reason | null {
    if ((action.channelMask & (1 << channelIndex)) === 0) return CHANNEL_REASONS[channelIndex]!;
    const ctx = this.#ctx;
    for (const stage of action.stages) if (!stage.rule.evaluate(ctx)) return stage.blocked;
    return this.#config.contactPolicy.blocker(action.id, action.kind, channelIndex, ctx.customer, ctx.now);
  }

  /**
   * The customer's arm in a campaign that may promote an action to it now, or the reason
   * it may not: outside its schedule, its volume spent, or outside its audience.
   */
  campaignArm(campaign: CompiledCampaign, customerId: string): number | Reason {
    const ctx = this.#ctx;
    if (!campaign.runningAt(ctx.now)) return campaign.outsideSchedule;
    if (this.#ledgers.of(campaign).totalContacts >= campaign.maxContacts) return campaign.volumeReached;
    if (campaign.audience !== null && !campaign.audience.evaluate(ctx)) return campaign.outsideAudience;
    return campaign.design.armIndex(customerId);
  }

  /**
   * For a `channel: best` trigger: the action's channel with the best expected value for
   * the customer among those with capacity and consent that pass the arbitration stages,
   * with a reason naming the channels weighed; undefined if none can take it.
   */
  chooseChannel(action: CompiledAction, state: CustomerState, ts: number): { channelIndex: number; reason: Reason } | undefined {
    const ctx = this.#ctx;
    let best = -1;
    let bestWeight = -1;
    const weighed: string[] = [];
    for (let c = 0; c < CHANNELS.length; c++) {
      if ((action.channelMask & (1 << c)) === 0) continue;
      ctx.channel = CHANNELS[c]!;
      const reason = this.#channels.unavailable(c, action.kind, state, ts) ?? this.blocker(action, c);
      if (reason !== null) {
        weighed.push(`${CHANNELS[c]}: ${reason.code === "channel" ? reason.detail.slice(reason.detail.indexOf(": ") + 2) : reason.code}`);
        continue;
      }
      const weight = this.#channels.weight(c, state);
      weighed.push(`${CHANNELS[c]} ${weight.toPrecision(3)}`);
      if (weight > bestWeight) {
        best = c;
        bestWeight = weight;
      }
    }
    if (best < 0) return undefined;
    return { channelIndex: best, reason: { code: "channelChoice", detail: `${CHANNELS[best]}, best of: ${weighed.join("; ")}` } };
  }

  /**
   * Epsilon-greedy exploration (`arbitration.exploration`): may move one of the ranked
   * candidates a control customer does not have held back to the front. Returns the
   * probability that the one now first among those was chosen.
   */
  #explore(decisionId: string, candidates: RankedAction[]): number {
    const showable: number[] = [];
    candidates.forEach((candidate, index) => {
      if (candidate.campaign?.arm !== CONTROL_ARM) showable.push(index);
    });
    if (showable.length === 0) return 0;
    const epsilon = this.#config.exploration;
    const choice = chooseFirst(decisionId, showable.length, epsilon);
    if (choice.explored) {
      const [drawn] = candidates.splice(showable[choice.index]!, 1);
      (drawn!.reasons as Reason[]).push({
        code: "explored",
        detail: `drawn at random (exploration ${epsilon}) from ${showable.length} candidates instead of ${candidates[showable[0]!]!.actionId}`,
      });
      candidates.unshift(drawn!);
    }
    return choice.probability;
  }
}

const CHANNEL_REASONS: readonly Reason[] = CHANNELS.map((channel) => Object.freeze({ code: "channel", detail: `not offered on ${channel}` }));

export const NO_REASONS: readonly Reason[] = [];

/**
 * A candidate as a decision lists it. Its reasons: `before` (a trigger's, and the channel
 * it chose), then the action's own, its propensity, and its campaign arm if it has one.
 */
export function rankedAction(
  action: CompiledAction,
  channelIndex: number,
  value: number,
  propensity: number,
  before: readonly Reason[],
  campaign?: CompiledCampaign,
  arm = -1,
): RankedAction {
  const variantTreatment = campaign === undefined ? undefined : campaign.armTreatments[arm];
  const treatment = treatmentOn(action, channelIndex, variantTreatment);
  const ranked = {
    actionId: action.id,
    title: action.title,
    kind: action.kind,
    ...(action.issue === "" ? {} : { issue: action.issue }),
    ...(action.group === "" ? {} : { group: action.group }),
    channel: CHANNELS[channelIndex]!,
    propensity,
    score: propensity * value * action.weight,
    ...(treatment === undefined ? {} : { treatment: treatmentView(treatment) }),
    reasons: [...before, ...actionReasons(action, value), { code: "propensity", detail: propensity.toPrecision(4) } as Reason],
  };
  if (campaign === undefined) return ranked;
  const { arm: armId, probability } = campaign.design.arms[arm]!;
  ranked.reasons.push(campaign.armReasons[arm]!);
  return { ...ranked, campaign: { id: campaign.id, arm: armId, probability } };
}

function treatmentView({ id, title, content }: Treatment): NonNullable<RankedAction["treatment"]> {
  return { id, ...(title === undefined ? {} : { title }), ...(content === undefined ? {} : { content }) };
}

function noValueReason(action: CompiledAction): Reason {
  return { code: "noValue", detail: `the value expression gave no number of 0 or more: ${action.valueRule!.source}` };
}
