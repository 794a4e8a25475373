import { CHANNELS, type Channel } from "../events/Channel.js";
import { EVENT_TYPES, type EventType } from "../events/EventType.js";
import {
  npsClassOf,
  VALUE_TIERS,
  WINDOW_SERIES_NAMES,
  WindowSeries,
  type CustomerState,
  type CustomerStatus,
  type LifecyclePolicy,
  type NpsClass,
  type SurveyAnswers,
  type ValueTier,
  type WindowSeriesName,
} from "./CustomerState.js";
import { lifetimeValue, monthlyProfit, probabilityAliveOf, type AliveModel, type Valuation } from "./customerValue.js";

export interface SurveySummary {
  readonly last: number | null;
  readonly lastTs: number | null;
  readonly mean: number | null;
  readonly count: number;
}

export interface InteractionSummary {
  readonly ts: number;
  readonly type: EventType;
  readonly channel: Channel;
  readonly amount: number;
  readonly detail: string;
}

export interface ContactSummary {
  readonly decisionId: string;
  readonly actionId: string;
  readonly channel: Channel;
  readonly ts: number;
  readonly source: "trigger" | "request";
}

/** The 360-degree view of one customer as `cx.query.profile` returns it. Times are epoch ms; null means never/unknown. */
export interface CustomerProfile {
  readonly customerId: string;
  /** Event-time "now" the view was computed at. */
  readonly asOf: number;
  readonly lastSeq: number;
  readonly lifecycle: {
    readonly status: CustomerStatus;
    readonly firstSeen: number | null;
    readonly lastSeen: number | null;
    readonly lastActive: number | null;
    readonly signup: number | null;
    readonly cancel: number | null;
    readonly tenureDays: number;
    readonly plan: string | null;
    readonly region: string | null;
    readonly birthYear: number | null;
    readonly preferredChannel: Channel | null;
    readonly consents: Partial<Record<Channel, boolean>>;
  };
  readonly behaviour: {
    readonly recencyDays: number | null;
    readonly purchases: number;
    readonly revenue: number;
    readonly refunds: number;
    readonly cost: number;
    readonly profit: number;
    /** Lifetime net revenue against `metrics.valueTiers`, as the business metrics count the customer. */
    readonly valueTier: ValueTier;
    /** Profit per month of tenure. */
    readonly monthlyProfit: number;
    /** Estimated customer lifetime value (see BaseInsights: the simple retention model); 0 once cancelled. */
    readonly lifetimeValue: number;
    /** BG/NBD probability that the customer is still buying; null without a purchase or a configured model. */
    readonly probabilityAlive: number | null;
    readonly serviceCalls: number;
    readonly products: readonly string[];
    readonly categories: readonly string[];
    readonly last7d: Readonly<Record<WindowSeriesName, number>>;
    readonly last30d: Readonly<Record<WindowSeriesName, number>>;
    readonly byChannel: Readonly<Partial<Record<Channel, number>>>;
    readonly byType: Readonly<Partial<Record<EventType, number>>>;
  };
  readonly attitude: {
    readonly npsClass: NpsClass;
    readonly nps: SurveySummary;
    readonly csat: SurveySummary;
    readonly ces: SurveySummary;
    readonly openComplaints: number;
    readonly complaints: number;
    readonly lastComplaint: number | null;
    readonly openComplaintSince: number | null;
    readonly lastResolutionHours: number | null;
  };
  readonly engagement: {
    readonly offerResponses: number;
    readonly offersAccepted: number;
    readonly offersDeclined: number;
    readonly decisionsMade: number;
    readonly recentDecisions: readonly ContactSummary[];
  };
  readonly recentInteractions: readonly InteractionSummary[];
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** The segments the customer is in now, in the order the configuration defines them. */
  readonly segments: readonly string[];
  /** The online models' predictions for the customer now; null with the models off. */
  readonly scores: CustomerScores | null;
}

/** Predictions of the online models (engine/models/OnlineModels) for one customer. */
export interface CustomerScores {
  readonly churnRisk: number;
  /** By action: probability of accepting it if offered now. */
  readonly response: Readonly<Record<string, number>>;
  /** By category: probability of buying in it within the purchase window. */
  readonly purchase: Readonly<Record<string, number>>;
}

/** Builds the 360 view; allocation is fine here, it runs per query, not per event. */
export function describeCustomer(
  state: CustomerState,
  nowTs: number,
  settings: { readonly lifecycle: LifecyclePolicy; readonly aliveModel: AliveModel | null },
  valuation: Valuation,
  segments: readonly string[],
  scores: CustomerScores | null,
): CustomerProfile {
  const never = (ts: number) => (ts === 0 ? null : ts);
  const known = (value: string) => (value === "" ? null : value);
  const finite = (value: number) => (Number.isFinite(value) ? value : null);
  const windowTotals = (days: number) =>
    Object.fromEntries(
      WINDOW_SERIES_NAMES.map((series) => [series, state.windowSum(WindowSeries[series], nowTs, days)]),
    ) as Record<WindowSeriesName, number>;
  const consents: Partial<Record<Channel, boolean>> = {};
  CHANNELS.forEach((channel, index) => {
    if ((state.consentKnownMask & (1 << index)) !== 0) consents[channel] = state.hasConsent(index);
  });
  const recentInteractions: InteractionSummary[] = [];
  state.recent.forEach((ts, typeIndex, channelIndex, amount, detail) => {
    recentInteractions.push({ ts, type: EVENT_TYPES[typeIndex]!, channel: CHANNELS[channelIndex]!, amount, detail });
  });
  return {
    customerId: state.customerId,
    asOf: nowTs,
    lastSeq: state.lastSeq,
    lifecycle: {
      status: state.statusAt(nowTs, settings.lifecycle),
      firstSeen: never(state.firstSeenTs),
      lastSeen: never(state.lastSeenTs),
      lastActive: never(state.lastActiveTs),
      signup: never(state.signupTs),
      cancel: never(state.cancelTs),
      tenureDays: state.tenureDays(nowTs),
      plan: known(state.plan),
      region: known(state.region),
      birthYear: state.birthYear === 0 ? null : state.birthYear,
      preferredChannel: state.preferredChannel < 0 ? null : CHANNELS[state.preferredChannel]!,
      consents,
    },
    behaviour: {
      recencyDays: finite(state.daysSince(state.lastPurchaseTs, nowTs)),
      purchases: state.purchases,
      revenue: state.revenue,
      refunds: state.refunds,
      cost: state.cost,
      profit: state.revenue - state.cost,
      valueTier: VALUE_TIERS[state.valueTier]!,
      monthlyProfit: monthlyProfit(state, nowTs),
      lifetimeValue: lifetimeValue(state, nowTs, valuation),
      probabilityAlive: probabilityAliveOf(state, nowTs, settings.aliveModel),
      serviceCalls: state.serviceCalls,
      products: [...state.products],
      categories: [...state.categories],
      last7d: windowTotals(7),
      last30d: windowTotals(30),
      byChannel: nonZero(CHANNELS, state.eventsByChannel),
      byType: nonZero(EVENT_TYPES, state.eventsByType),
    },
    attitude: {
      npsClass: npsClassOf(state.nps.last),
      nps: summarize(state.nps),
      csat: summarize(state.csat),
      ces: summarize(state.ces),
      openComplaints: state.openComplaints,
      complaints: state.complaints,
      lastComplaint: never(state.lastComplaintTs),
      openComplaintSince: never(state.openComplaintSinceTs),
      lastResolutionHours: Number.isNaN(state.lastResolutionMs) ? null : state.lastResolutionMs / 3_600_000,
    },
    engagement: {
      offerResponses: state.offerResponses,
      offersAccepted: state.offersAccepted,
      offersDeclined: state.offersDeclined,
      decisionsMade: state.contacts.total,
      recentDecisions: state.contacts.toArray().map((record) => ({
        decisionId: record.decisionId,
        actionId: record.actionId,
        channel: CHANNELS[record.channelIndex]!,
        ts: record.ts,
        source: record.fromRequest ? "request" : "trigger",
      })),
    },
    recentInteractions,
    attributes: { ...state.attributes },
    segments,
    scores,
  };
}

function summarize(scores: SurveyAnswers): SurveySummary {
  return {
    last: Number.isNaN(scores.last) ? null : scores.last,
    lastTs: scores.lastTs === 0 ? null : scores.lastTs,
    mean: Number.isNaN(scores.mean) ? null : scores.mean,
    count: scores.count,
  };
}

function nonZero<K extends string>(keys: readonly K[], counts: ArrayLike<number>): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  keys.forEach((key, index) => {
    if (counts[index]! > 0) out[key] = counts[index]!;
  });
  return out;
}
