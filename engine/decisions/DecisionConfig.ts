import type { ActionDefinition, ActionKind, DecisionDefinitions, LocateValue, TriggerDefinition } from "../EngineSettings.js";
import { ConfigError, ConfigErrorCodes } from "../errors.js";
import { CHANNEL_INDEX, CHANNELS, type Channel } from "../events/Channel.js";
import { EVENT_TYPE_INDEX, EVENT_TYPES } from "../events/EventType.js";
import { compileNumber, compilePredicate, type CompiledRule } from "../rules/compileRule.js";
import { RuleSource } from "../rules/RuleSource.js";
import { BASE_PROFILE } from "../segments/profiles/SegmentProfiles.js";
import { compileSegment, MAX_SEGMENTS, segmentsFingerprint, type CompiledSegment } from "../segments/CompiledSegment.js";
import { CompiledCampaign } from "../campaigns/CompiledCampaign.js";
import { ContactPolicy } from "./ContactPolicy.js";
import type { Reason } from "./Decision.js";
import type { RuleContext } from "./RuleContext.js";
import { ruleScope } from "./ruleScope.js";

export interface CompiledAction {
  readonly id: string;
  readonly index: number;
  readonly title: string;
  readonly kind: ActionKind;
  /** How long after a decision its response counts (the response model's label window); undefined: `models.responseWindow`. */
  readonly responseWindowMs: number | undefined;
  /** "" when the catalog gives none. */
  readonly issue: string;
  readonly group: string;
  /** Bit per channel index the action may be offered on. */
  readonly channelMask: number;
  /** The value's expression; null when it is a constant (`constantValue`). */
  readonly valueRule: CompiledRule<RuleContext, number> | null;
  readonly constantValue: number;
  readonly weight: number;
  readonly eligibility: CompiledRule<RuleContext, boolean> | null;
  /** Eligibility, applicability and suitability, in that order: the rules an action must pass, each with the reason it gives when false. */
  readonly stages: readonly ActionStage[];
  /** The reasons every decision for this action carries (eligible, value, weight), built once; for a value expression see `reasonsFor`. */
  readonly reasons: readonly Reason[];
  /** By channel index: the channel's default treatment; undefined where the action has none. */
  readonly treatments: readonly (Treatment | undefined)[];
  /** Every treatment by id, to find the one a campaign variant names. */
  readonly treatmentsById: ReadonlyMap<string, Treatment>;
}

/** One presentation of an action, passed on in its decisions. */
export interface Treatment {
  readonly id: string;
  /** Bit per channel index it is for. */
  readonly channelMask: number;
  readonly title?: string;
  readonly content?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The action's value in the rule context (customer and channel set): its constant, or
 * its expression's result. NaN when the expression gives no finite value of 0 or more,
 * which removes the action from that decision.
 */
export function actionValue(action: CompiledAction, ctx: RuleContext): number {
  if (action.valueRule === null) return action.constantValue;
  const value = action.valueRule.evaluate(ctx);
  return Number.isFinite(value) && value >= 0 ? value : Number.NaN;
}

/** The reasons a decision for the action carries with this value. */
export function actionReasons(action: CompiledAction, value: number): readonly Reason[] {
  if (action.valueRule === null) return action.reasons;
  const [eligible, , weight] = action.reasons;
  return [eligible!, { code: "value", detail: `${value} = ${action.valueRule.source}` }, weight!];
}

/** The treatment of the action on a channel: the one a campaign variant names if the action has it there, else the channel's default. */
export function treatmentOn(action: CompiledAction, channelIndex: number, variantTreatment: string | undefined): Treatment | undefined {
  if (variantTreatment !== undefined) {
    const named = action.treatmentsById.get(variantTreatment);
    if (named !== undefined && (named.channelMask & (1 << channelIndex)) !== 0) return named;
  }
  return action.treatments[channelIndex];
}

export interface ActionStage {
  readonly rule: CompiledRule<RuleContext, boolean>;
  readonly blocked: Reason;
}

export const EVENT_CHANNEL = -1;
export const BEST_CHANNEL = -2;

export interface CompiledTrigger {
  readonly id: string;
  readonly action: CompiledAction;
  /** Channel index to decide for; EVENT_CHANNEL: the one the event came in on; BEST_CHANNEL: chosen per decision. */
  readonly channelIndex: number;
  readonly when: CompiledRule<RuleContext, boolean> | null;
  /** The reason naming the trigger, first in its decisions' reasons. */
  readonly reasons: readonly Reason[];
}

/** The segments, catalog and triggers, checked and compiled to closures once per (re)load. */
export interface DecisionConfig {
  readonly version: string;
  /** In definition order: a segment's index is its membership bit. */
  readonly segments: readonly CompiledSegment[];
  /** See segmentsFingerprint; 0 without segments. */
  readonly segmentsFingerprint: number;
  readonly actions: readonly CompiledAction[];
  readonly actionsById: ReadonlyMap<string, CompiledAction>;
  /** The issues the catalog's actions serve, for decide requests that ask for one. */
  readonly issues: ReadonlySet<string>;
  /** Triggers listening to each event type, indexed by event type index. */
  readonly triggersByType: readonly (readonly CompiledTrigger[])[];
  /** Triggers firing as a customer enters each segment, indexed by segment index. */
  readonly triggersOnEntry: readonly (readonly CompiledTrigger[])[];
  readonly contactPolicy: ContactPolicy;
  /** Share of decide requests whose first action is drawn at random from the candidates. */
  readonly exploration: number;
  readonly campaigns: readonly CompiledCampaign[];
  readonly campaignsById: ReadonlyMap<string, CompiledCampaign>;
  /** The campaign promoting each action (at most one). */
  readonly campaignOf: ReadonlyMap<string, CompiledCampaign>;
}

const noLocation: LocateValue = () => undefined;

export function compileDecisionConfig(definitions: DecisionDefinitions, locate: LocateValue = noLocation): DecisionConfig {
  const segmentIds = definitions.segments.map((segment) => segment.id);
  const windows = definitions.metricWindows;
  const eligibilityScope = ruleScope({ event: false, channel: true, segments: segmentIds, lookalike: segmentIds, metricWindows: windows });
  const triggerScope = ruleScope({ event: true, channel: false, segments: segmentIds, lookalike: segmentIds, metricWindows: windows });
  const sourceAt = (text: string, keyPath: readonly (string | number)[]) => {
    const location = locate(keyPath);
    return new RuleSource(text, { ...location, keyPath: formatKeyPath(keyPath) });
  };
  const fail = (keyPath: readonly (string | number)[], message: string) => {
    const location = locate(keyPath);
    return new ConfigError(ConfigErrorCodes.UnknownReference, message, {
      ...(location === undefined ? {} : { position: location }),
      keyPath: formatKeyPath(keyPath),
    });
  };

  if (definitions.segments.length > MAX_SEGMENTS) {
    throw new ConfigError(ConfigErrorCodes.ConfigInvalid, `at most ${MAX_SEGMENTS} segments can be defined, not ${definitions.segments.length}`, {
      keyPath: "segments",
    });
  }
  const segments = definitions.segments.map((definition, index) => {
    if (segmentIds.indexOf(definition.id) !== index) throw fail(["segments", index, "id"], `segment id "${definition.id}" is used twice`);
    if (definition.id === BASE_PROFILE) throw fail(["segments", index, "id"], `segment id "${BASE_PROFILE}" is reserved: segment profiles name the whole base so`);
    const earlier = ruleScope({ event: false, channel: false, segments: segmentIds.slice(0, index) });
    return compileSegment(definition, index, sourceAt(definition.when, ["segments", index, "when"]), earlier);
  });

  const actionsById = new Map<string, CompiledAction>();
  const actions = definitions.actions.map((definition, index) => {
    if (actionsById.has(definition.id)) throw fail(["actions", index, "id"], `action id "${definition.id}" is used twice`);
    const rule = (stage: "eligibility" | "applicability" | "suitability") => {
      const text = definition[stage];
      return text === undefined ? null : compilePredicate(sourceAt(text, ["actions", index, stage]), eligibilityScope);
    };
    const valueRule = typeof definition.value === "string" ? compileNumber(sourceAt(definition.value, ["actions", index, "value"]), eligibilityScope) : null;
    const treatments = compileTreatments(definition, (position, message) => fail(["actions", index, "treatments", position], message));
    const action = compileAction(definition, index, valueRule, treatments, rule("eligibility"), rule("applicability"), rule("suitability"));
    actionsById.set(action.id, action);
    return action;
  });

  const triggerIds = new Set<string>();
  const triggersByType: CompiledTrigger[][] = EVENT_TYPES.map(() => []);
  const triggersOnEntry: CompiledTrigger[][] = segments.map(() => []);
  const entryScope = ruleScope({ event: false, channel: false, segments: segmentIds, lookalike: segmentIds, metricWindows: windows });
  definitions.triggers.forEach((definition, index) => {
    if (triggerIds.has(definition.id)) throw fail(["triggers", index, "id"], `trigger id "${definition.id}" is used twice`);
    triggerIds.add(definition.id);
    if ((definition.on === undefined) === (definition.enters === undefined)) {
      throw fail(["triggers", index], `trigger "${definition.id}" needs either \`on\` (event types) or \`enters\` (a segment), not ${definition.on === undefined ? "neither" : "both"}`);
    }
    const entered = definition.enters === undefined ? -1 : segmentIds.indexOf(definition.enters);
    if (definition.enters !== undefined) {
      if (entered < 0) throw fail(["triggers", index, "enters"], `trigger "${definition.id}" fires on entering segment "${definition.enters}", which is not defined`);
      if (definition.channel === "event") {
        throw fail(["triggers", index, "channel"], `trigger "${definition.id}" fires on a segment entry, which time alone can cause: name a channel or "best", not "event"`);
      }
    }
    const action = actionsById.get(definition.action);
    if (action === undefined) {
      throw fail(["triggers", index, "action"], `trigger "${definition.id}" names action "${definition.action}", which the catalog does not have`);
    }
    const channelIndex = definition.channel === "event" ? EVENT_CHANNEL : definition.channel === "best" ? BEST_CHANNEL : CHANNEL_INDEX.get(definition.channel)!;
    if (channelIndex >= 0 && (action.channelMask & (1 << channelIndex)) === 0) {
      throw fail(
        ["triggers", index, "channel"],
        `trigger "${definition.id}" decides on ${definition.channel}, but action "${action.id}" is only offered on ${channelsOf(action.channelMask).join(", ")}`,
      );
    }
    const when = definition.when === undefined ? null : compilePredicate(sourceAt(definition.when, ["triggers", index, "when"]), entered < 0 ? triggerScope : entryScope);
    const trigger = compileTrigger(definition, action, channelIndex, when);
    if (entered >= 0) triggersOnEntry[entered]!.push(trigger);
    for (const type of new Set(definition.on)) triggersByType[EVENT_TYPE_INDEX.get(type)!]!.push(trigger);
  });

  const campaignOf = new Map<string, CompiledCampaign>();
  const campaignIds = new Set<string>();
  const campaigns = definitions.campaigns.map((definition, index) => {
    if (campaignIds.has(definition.id)) throw fail(["campaigns", index, "id"], `campaign id "${definition.id}" is used twice`);
    campaignIds.add(definition.id);
    const audience = definition.audience === undefined ? null : compilePredicate(sourceAt(definition.audience, ["campaigns", index, "audience"]), eligibilityScope);
    let campaign: CompiledCampaign;
    try {
      campaign = new CompiledCampaign(definition, audience);
    } catch (error) {
      throw fail(["campaigns", index, "variants"], (error as Error).message);
    }
    definition.variants.forEach((variant, position) => {
      if (variant.treatment !== undefined && !definition.actions.some((actionId) => actionsById.get(actionId)?.treatmentsById.has(variant.treatment!))) {
        throw fail(["campaigns", index, "variants", position, "treatment"], `variant "${variant.id}" shows treatment "${variant.treatment}", which none of the campaign's actions has`);
      }
    });
    definition.actions.forEach((actionId, position) => {
      if (!actionsById.has(actionId)) throw fail(["campaigns", index, "actions", position], `campaign "${definition.id}" names action "${actionId}", which the catalog does not have`);
      const other = campaignOf.get(actionId);
      if (other !== undefined) throw fail(["campaigns", index, "actions", position], `action "${actionId}" is already in campaign "${other.id}"; an action belongs to one campaign at a time`);
      campaignOf.set(actionId, campaign);
    });
    return campaign;
  });

  return {
    version: definitions.version,
    campaigns,
    campaignsById: new Map(campaigns.map((campaign) => [campaign.id, campaign])),
    campaignOf,
    segments,
    segmentsFingerprint: segmentsFingerprint(definitions.segments),
    actions,
    actionsById,
    issues: new Set(actions.map((action) => action.issue).filter((issue) => issue !== "")),
    triggersByType,
    triggersOnEntry,
    exploration: definitions.arbitration.exploration,
    contactPolicy: new ContactPolicy(definitions.contactPolicy, (actionId) => actionsById.get(actionId)?.kind),
  };
}

function compileTreatments(definition: ActionDefinition, fail: (position: number, message: string) => ConfigError): Pick<CompiledAction, "treatments" | "treatmentsById"> {
  const byChannel: (Treatment | undefined)[] = CHANNELS.map(() => undefined);
  const byId = new Map<string, Treatment>();
  (definition.treatments ?? []).forEach((spec, position) => {
    if (byId.has(spec.id)) throw fail(position, `treatment id "${spec.id}" is used twice in action "${definition.id}"`);
    let channelMask = 0;
    for (const channel of spec.channels ?? definition.channels) {
      if (!definition.channels.includes(channel)) throw fail(position, `treatment "${spec.id}" is for ${channel}, but action "${definition.id}" is only offered on ${definition.channels.join(", ")}`);
      channelMask |= 1 << CHANNEL_INDEX.get(channel)!;
    }
    const treatment: Treatment = Object.freeze({
      id: spec.id,
      channelMask,
      ...(spec.title === undefined ? {} : { title: spec.title }),
      ...(spec.content === undefined ? {} : { content: Object.freeze({ ...spec.content }) }),
    });
    byId.set(spec.id, treatment);
    for (let c = 0; c < CHANNELS.length; c++) if ((channelMask & (1 << c)) !== 0) byChannel[c] ??= treatment;
  });
  if (byId.size > 0) {
    const bare = definition.channels.filter((channel) => byChannel[CHANNEL_INDEX.get(channel)!] === undefined);
    if (bare.length > 0) throw fail(0, `action "${definition.id}" has treatments, but none for ${bare.join(", ")}; give every channel of the action one`);
  }
  return { treatments: Object.freeze(byChannel), treatmentsById: byId };
}

function compileAction(
  definition: ActionDefinition,
  index: number,
  valueRule: CompiledRule<RuleContext, number> | null,
  treatments: Pick<CompiledAction, "treatments" | "treatmentsById">,
  eligibility: CompiledRule<RuleContext, boolean> | null,
  applicability: CompiledRule<RuleContext, boolean> | null,
  suitability: CompiledRule<RuleContext, boolean> | null,
): CompiledAction {
  const stage = (rule: CompiledRule<RuleContext, boolean> | null, code: "ineligible" | "inapplicable" | "unsuitable"): ActionStage[] =>
    rule === null ? [] : [{ rule, blocked: Object.freeze({ code, detail: rule.source }) }];
  const weight = definition.weight ?? 1;
  let channelMask = 0;
  for (const channel of definition.channels) channelMask |= 1 << CHANNEL_INDEX.get(channel)!;
  const reasons: Reason[] = [
    { code: "eligible", detail: eligibility?.source ?? "always" },
    { code: "value", detail: String(definition.value) },
    { code: "weight", detail: String(weight) },
  ];
  return {
    id: definition.id,
    index,
    title: definition.title ?? definition.id,
    kind: definition.kind,
    responseWindowMs: definition.responseWindowMs,
    issue: definition.issue ?? "",
    group: definition.group ?? "",
    channelMask,
    valueRule,
    constantValue: typeof definition.value === "number" ? definition.value : Number.NaN,
    weight,
    eligibility,
    ...treatments,
    stages: Object.freeze([...stage(eligibility, "ineligible"), ...stage(applicability, "inapplicable"), ...stage(suitability, "unsuitable")]),
    reasons: Object.freeze(reasons.map((reason) => Object.freeze(reason))),
  };
}

function compileTrigger(
  definition: TriggerDefinition,
  action: CompiledAction,
  channelIndex: number,
  when: CompiledRule<RuleContext, boolean> | null,
): CompiledTrigger {
  const triggerReason: Reason = Object.freeze({ code: "trigger", detail: definition.id });
  return {
    id: definition.id,
    action,
    channelIndex,
    when,
    reasons: Object.freeze([triggerReason]),
  };
}

function channelsOf(mask: number): Channel[] {
  return CHANNELS.filter((_, index) => (mask & (1 << index)) !== 0);
}

export function formatKeyPath(keyPath: readonly (string | number)[]): string {
  return keyPath.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text === "" ? key : `${text}.${key}`),
    "",
  );
}
