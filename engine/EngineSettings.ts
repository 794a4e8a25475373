import type { Channel } from "./events/Channel.js";
import type { EventType } from "./events/EventType.js";
import type { LifecyclePolicy, ValueTierThresholds } from "./state/CustomerState.js";
import type { ChannelSelectionSettings } from "./decisions/ChannelSelection.js";
import type { ContactPolicySettings } from "./decisions/ContactPolicy.js";
import type { ModelSettings } from "./models/OnlineModels.js";
import type { AliveModel } from "./state/customerValue.js";

/** Engine limits and policies; durations in milliseconds. */
export interface EngineSettings {
  /** Customers kept in memory (live or packed) before the one idle longest is spilled to the checkpoint store. */
  readonly maxCustomers: number;
  /** Of those, customers kept live (the rest packed, see CustomerDirectory); capped by maxCustomers. */
  readonly hotCustomers: number;
  /** Largest accepted inbound payload, in bytes. */
  readonly maxPayloadBytes: number;
  /** Events older than the watermark minus this still update lifetime state, but no window. */
  readonly allowedLatenessMs: number;
  /** Events whose `ts` is further than this ahead of the clock are rejected. */
  readonly maxFutureSkewMs: number;
  /** Interactions kept per customer for the 360 view. */
  readonly recentInteractions: number;
  /** Decisions kept per customer in the contact history. */
  readonly contactHistory: number;
  /** Distinct products (and categories) kept per customer. */
  readonly maxProductsPerCustomer: number;
  readonly lifecycle: LifecyclePolicy;
  /** An event older than this when the stream stored it fires no trigger (0: every event may); for imported history. */
  readonly triggerMaxAgeMs: number;
  /** Actions returned by a decide request that does not say how many it wants. */
  readonly decideLimit: number;
  /** Windows (whole days) of the business metrics; the longest bounds what a report may ask. */
  readonly businessWindowDays: readonly number[];
  /** Time without a purchase after which a customer counts as lapsed (non-contractual attrition); whole days. */
  readonly purchaseInactivityMs: number;
  /** Lifetime net revenue from which a customer is in the medium and the high value tier. */
  readonly valueTiers: ValueTierThresholds;
  /** How `channel: best` triggers pick a channel, and each channel's hourly capacity. */
  readonly channelSelection: ChannelSelectionSettings;
  /** The online predictive models; null when they are off. */
  readonly models: ModelSettings | null;
  /** The BG/NBD model of probability-alive; null when none is configured. */
  readonly aliveModel: AliveModel | null;
  /** Costs given to events that carry none: cost of goods of purchases, handling cost by event type. */
  readonly economics: Economics;
  /** Monthly discount rate of future profit in customer lifetime value. */
  readonly monthlyDiscountRate: number;
}

export const ACTION_KINDS = ["offer", "service", "message"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** A next-best-action candidate from the catalog, as written in configuration. */
export interface ActionDefinition {
  readonly id: string;
  readonly title?: string | undefined;
  readonly kind: ActionKind;
  /** The business issue it serves (e.g. retention), and its group within the issue (e.g. a product line). */
  readonly issue?: string | undefined;
  readonly group?: string | undefined;
  /** How long after a decision a response to it counts; absent: `models.responseWindow`. */
  readonly responseWindowMs?: number | undefined;
  readonly channels: readonly Channel[];
  /** Expected value to the business when the customer takes the action: a number, or a numeric rule over the customer and channel. */
  readonly value: number | string;
  /** Business priority lever; multiplies the score. */
  readonly weight?: number | undefined;
  /** Rule over the customer and the target `channel`; absent means always eligible. */
  readonly eligibility?: string | undefined;
  /** Rule: does the action fit the customer's situation now (e.g. has the product it upgrades)? */
  readonly applicability?: string | undefined;
  /** Rule: is it right for this customer (e.g. affordable, not against their interest)? */
  readonly suitability?: string | undefined;
  /** How it is presented per channel; the first listed for a channel is that channel's default. */
  readonly treatments?: readonly TreatmentDefinition[] | undefined;
}

/** One presentation of an action (a template, a script, a banner) on some of its channels. */
export interface TreatmentDefinition {
  readonly id: string;
  /** Absent: every channel of the action. */
  readonly channels?: readonly Channel[] | undefined;
  readonly title?: string | undefined;
  /** Passed on in decisions as is. */
  readonly content?: Readonly<Record<string, string | number | boolean>> | undefined;
}

/**
 * "event" as a trigger channel means: answer on the channel the event came in on;
 * "best": the action's channel with the best expected value for the customer (ChannelSelection).
 */
export type TriggerChannel = Channel | "event" | "best";

/** A rule that turns an incoming interaction into a proactive decision. */
export interface TriggerDefinition {
  readonly id: string;
  /** Event types that fire it; exactly one of `on` and `enters` is given. */
  readonly on?: readonly EventType[] | undefined;
  /** A segment id: the trigger fires as a customer enters the segment (by an event or by time passing). */
  readonly enters?: string | undefined;
  /** Rule over the customer and, for `on`, `event.*`; absent means always. */
  readonly when?: string | undefined;
  readonly action: string;
  readonly channel: TriggerChannel;
}

/** A named group of customers, defined by a rule over the customer's state. */
export interface SegmentDefinition {
  readonly id: string;
  readonly title?: string | undefined;
  /** Rule over the customer (no event, no channel); may use `inSegment` of segments defined before it. */
  readonly when: string;
}

/** A campaign: which customers, which actions, when, how many, and its test design. */
export interface CampaignDefinition {
  readonly id: string;
  readonly title?: string | undefined;
  /** Rule over the customer (and channel): who the campaign is for; absent, everyone. */
  readonly audience?: string | undefined;
  /** The catalog actions the campaign promotes: offered only to its audience, within its schedule and volume. */
  readonly actions: readonly string[];
  /** Event-time schedule (epoch ms); absent, open-ended. */
  readonly startTs: number;
  readonly endTs: number;
  /** Contacts at most, over all arms (control included); absent, none. */
  readonly maxContacts: number;
  /** Outcomes join to a contact within this of it. */
  readonly responseWindowMs: number;
  /** Share of the audience held out as control: no action, outcomes tracked. */
  readonly controlShare: number;
  /** A/B variants by weight; a variant may name the treatment its customers see. */
  readonly variants: readonly { readonly id: string; readonly weight: number; readonly treatment?: string | undefined }[];
}

export interface ArbitrationSettings {
  /** Share of decide requests whose first action is drawn uniformly from the candidates (epsilon-greedy). */
  readonly exploration: number;
}

export interface DecisionDefinitions {
  readonly version: string;
  /** The business-metric windows (days) `baseMetric` may read: `metrics.windows`. */
  readonly metricWindows: readonly number[];
  readonly arbitration: ArbitrationSettings;
  readonly contactPolicy: ContactPolicySettings;
  readonly campaigns: readonly CampaignDefinition[];
  readonly segments: readonly SegmentDefinition[];
  readonly actions: readonly ActionDefinition[];
  readonly triggers: readonly TriggerDefinition[];
}

/** Where a configuration value sits in its file, for errors that point at it. */
export interface ValueLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /**
   * Maps an offset in the value's text to its file line and column, for values whose
   * text differs from the source (folded lines, escapes); absent for plain one-liners.
   */
  readonly mapOffset?: (offset: number) => { line: number; column: number };
}

export type LocateValue = (keyPath: readonly (string | number)[]) => ValueLocation | undefined;

export interface Economics {
  /** Gross margin of purchases in categories without their own. */
  readonly margin: number;
  readonly marginByCategory: ReadonlyMap<string, number>;
  /** By event type index; 0 where none is configured. */
  readonly handlingCost: readonly number[];
}
