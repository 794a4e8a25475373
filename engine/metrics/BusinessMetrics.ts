import { CHANNELS, type Channel } from "../events/Channel.js";
import { EventTypeIndex } from "../events/EventType.js";
import type { InteractionEvent } from "../events/InteractionEvent.js";
import {
  COMPLAINT_HISTORIES,
  CUSTOMER_STATUSES,
  LifecycleFacts,
  type CustomerStatus,
  type LifecyclePolicy,
  complaintHistoryIndexOf,
  NPS_CLASSES,
  npsClassIndexOf,
  VALUE_TIERS,
  valueTierIndexOf,
  type ValueTier,
  type ValueTierThresholds,
  type ComplaintHistory,
  type CustomerState,
  type NpsClass,
} from "../state/CustomerState.js";
import { RollingWindow, WindowShape } from "../windows/RollingWindow.js";
import { LifecycleSchedule, type LifecycleScheduleSnapshot } from "./LifecycleSchedule.js";

const DAY_MS = 86_400_000;

/**
 * The flows counted both for the whole base and for each group, at the same offsets
 * from the first series of each, so one routine adds them to both.
 */
const Flow = {
  /** First signups: acquisitions. */
  acquired: 0,
  /** Cancellations of an active relationship (contractual attrition). */
  lost: 1,
  revenue: 2,
  cost: 3,
  purchases: 4,
} as const;
const FLOW_SERIES = 5;

/** Daily series of the global ring; per-channel series follow, CHANNEL_SERIES each, then per-group series. */
const Series = {
  ...Flow,
  /** Customers seen for the first time (they join the base). */
  joined: FLOW_SERIES,
  /** Signups after a cancellation: back in the base. */
  reactivated: FLOW_SERIES + 1,
  promoters: FLOW_SERIES + 2,
  passives: FLOW_SERIES + 3,
  detractors: FLOW_SERIES + 4,
  csatSum: FLOW_SERIES + 5,
  csatResponses: FLOW_SERIES + 6,
  cesSum: FLOW_SERIES + 7,
  cesResponses: FLOW_SERIES + 8,
  complaintsOpened: FLOW_SERIES + 9,
  /** Customers whose open complaints were all resolved, and the time that took. */
  resolutions: FLOW_SERIES + 10,
  resolutionMsSum: FLOW_SERIES + 11,
  /** Purchases by customers who had bought before, and those of them in a category new to the customer (cross-sell). */
  repeatPurchaseAmount: FLOW_SERIES + 12,
  crossSellPurchases: FLOW_SERIES + 13,
  crossSellAmount: FLOW_SERIES + 14,
  /** Repeat purchases in a known category: the part of each above the customer's own mean purchase so far (up-sell). */
  upSellAmount: FLOW_SERIES + 15,
} as const;
const GLOBAL_SERIES = FLOW_SERIES + 16;
/** The series counting an NPS answer, by its index in NPS_CLASSES (an answer is never "unknown"). */
const NPS_ANSWER_SERIES = [Series.detractors, Series.detractors, Series.passives, Series.promoters];
const ChannelSeries = { events: 0, revenue: 1 } as const;
const CHANNEL_SERIES = 2;
/** Per group of customers (an NPS class, a complaint history): the flows of its part of the base. */
const GroupSeries = {
  ...Flow,
  /** Customers of the base entering the group, less those leaving it (a new NPS answer, a complaint, a cancellation). */
  inflow: FLOW_SERIES,
} as const;
const GROUP_SERIES = FLOW_SERIES + 1;
/** Groups: the NPS classes, then the complaint histories. */
const NPS_GROUPS = 0;
const COMPLAINT_GROUPS = NPS_CLASSES.length;
const VALUE_TIER_GROUPS = COMPLAINT_GROUPS + COMPLAINT_HISTORIES.length;
const LIFECYCLE_GROUPS = VALUE_TIER_GROUPS + VALUE_TIERS.length;
const GROUP_COUNT = LIFECYCLE_GROUPS + CUSTOMER_STATUSES.length;
const FIRST_GROUP_SERIES = GLOBAL_SERIES + CHANNELS.length * CHANNEL_SERIES;

/**
 * Daily series of the purchase-inactivity ring. A customer who buys is active until its
 * inactivity period ends with no purchase: that day holds a scheduled lapse, moved to a
 * later day by each purchase before it and realized once the watermark reaches it.
 */
const LapseSeries = {
  /** Inactivity periods ending on the day (future days: not yet realized). */
  lapses: 0,
  /** Customers buying for the first time: they become active. */
  firstPurchases: 1,
  /** Customers buying again after their inactivity period ended: active again. */
  returned: 2,
} as const;

/** The breakdowns a report carries, as `cx.query.metrics` names them, and their fields. */
const BREAKDOWN_FIELDS = {
  channel: "byChannel",
  npsClass: "byNpsClass",
  complaintHistory: "byComplaintHistory",
  valueTier: "byValueTier",
  lifecycleStage: "byLifecycleStage",
  month: "byMonth",
} as const;
export type Breakdown = keyof typeof BREAKDOWN_FIELDS;
export const BREAKDOWNS = Object.keys(BREAKDOWN_FIELDS) as Breakdown[];
type BreakdownField = (typeof BREAKDOWN_FIELDS)[Breakdown];

/** A report with only the asked breakdowns. */
export type BusinessReportPart = Omit<BusinessReport, BreakdownField> & Partial<Pick<BusinessReport, BreakdownField>>;

export function withBreakdowns(report: BusinessReport, breakdowns: readonly Breakdown[]): BusinessReportPart {
  const part: BusinessReportPart = { ...report };
  for (const breakdown of BREAKDOWNS) if (!breakdowns.includes(breakdown)) delete part[BREAKDOWN_FIELDS[breakdown]];
  return part;
}

/** The business-metrics part of a checkpoint. */
export interface BusinessMetricsSnapshot {
  readonly newestBucket: number;
  /** RollingWindow.toSparse of the daily ring. */
  readonly days: number[];
  readonly base: number;
  readonly openComplaints: number;
  /** Customers of the base in each group, NPS classes then complaint histories. */
  readonly groupMembers: number[];
  readonly lapses: {
    readonly newestBucket: number;
    readonly days: number[];
    /** The day of the watermark when the checkpoint was cut. */
    readonly today: number;
    readonly firstPurchasesEver: number;
    readonly returnedEver: number;
    /** Scheduled lapses on days up to `today`: realized. */
    readonly lapsedEver: number;
  };
  readonly lifecycle: LifecycleScheduleSnapshot;
}

/**
 * Attrition of a non-contractual relationship: customers who stopped buying. A customer
 * is an active purchaser from its first purchase until its inactivity period passes
 * with no purchase (a lapse, on the day the period ends); a later purchase makes it
 * active again (returned).
 */
export interface InactivityFlows {
  readonly inactivityDays: number;
  /** Active purchasers when the window began, and now. */
  readonly activeAtStart: number;
  readonly activeNow: number;
  readonly firstPurchases: number;
  readonly lapsed: number;
  readonly returned: number;
  /** Lapsed over the active purchasers at the start; null while there were none. */
  readonly attritionRate: number | null;
}

export interface CustomerFlows {
  /** The base (customers seen and not cancelled) when the span began. */
  readonly atStart: number;
  readonly acquired: number;
  readonly lost: number;
  /** Acquired over the base at the start; null while that base is empty. */
  readonly acquisitionRate: number | null;
  /** Lost (cancelled) over the base at the start; null while that base is empty. */
  readonly attritionRate: number | null;
}

export interface ValueTotals {
  readonly revenue: number;
  readonly cost: number;
  readonly profit: number;
  readonly purchases: number;
}

/**
 * Additional purchasing by existing customers (customers who had bought before): buying
 * in categories new to them (cross-sell) and spending above their own mean purchase so
 * far (up-sell). The index is the two together over all repeat purchasing.
 */
export interface GrowthIndex {
  /** Purchase amounts of repeat purchases. */
  readonly repeatPurchaseAmount: number;
  readonly crossSell: { readonly purchases: number; readonly amount: number };
  readonly upSellAmount: number;
  /** (cross-sell amount + up-sell amount) / repeat purchase amount; null without repeat purchases. */
  readonly index: number | null;
}

/** One group of customers (an NPS class, a complaint history) over the window. */
export interface GroupReport {
  readonly customers: CustomerFlows & { readonly now: number };
  readonly value: ValueTotals & {
    /** Profit over the group's mean size (its base at the start and now); null while both are 0. */
    readonly profitPerCustomer: number | null;
  };
}

/** One calendar month (UTC), cut to the part inside the window. */
export interface MonthReport {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly from: number;
  readonly to: number;
  readonly customers: CustomerFlows & { readonly reactivated: number };
  readonly value: ValueTotals;
  readonly nps: number | null;
  readonly npsResponses: number;
}

/** The headline metrics over one window ending at the event-time watermark. */
export interface BusinessReport {
  readonly windowDays: number;
  /** Event-time span (epoch ms): from the start of the window's first day to the watermark. */
  readonly from: number;
  readonly to: number;
  /** Contractual: explicit cancellations of the relationship. */
  readonly customers: CustomerFlows & { readonly now: number; readonly reactivated: number };
  /** Non-contractual: customers who stopped buying for the configured inactivity period. */
  readonly purchasing: InactivityFlows;
  readonly value: ValueTotals;
  readonly growth: GrowthIndex;
  readonly attitude: {
    /** Promoters minus detractors, in percent of NPS responses; null without responses. */
    readonly nps: number | null;
    readonly promoters: number;
    readonly passives: number;
    readonly detractors: number;
    readonly csat: number | null;
    readonly csatResponses: number;
    readonly ces: number | null;
    readonly cesResponses: number;
  };
  readonly complaints: {
    readonly opened: number;
    /** Customers whose open complaints were all resolved in the window. */
    readonly resolutions: number;
    readonly meanHoursToResolve: number | null;
    /** Complaints open now, over all customers. */
    readonly openNow: number;
  };
  readonly byChannel: Readonly<Record<Channel, { readonly events: number; readonly revenue: number }>>;
  /** Customers by their last NPS answer ("unknown": none yet). */
  readonly byNpsClass: Readonly<Record<NpsClass, GroupReport>>;
  readonly byComplaintHistory: Readonly<Record<ComplaintHistory, GroupReport>>;
  /** Customers by lifetime net revenue against `metrics.valueTiers`. */
  readonly byValueTier: Readonly<Record<ValueTier, GroupReport>>;
  /** Customers by lifecycle stage, as it stands at the end of each day (`engine.lifecycle`). */
  readonly byLifecycleStage: Readonly<Record<CustomerStatus, GroupReport>>;
  /** The calendar months the window touches, oldest first. */
  readonly byMonth: readonly MonthReport[];
}

/**
 * Business metrics of the whole customer base, kept incrementally: each applied event
 * adds its customer's change (revenue, a first signup, a cancellation, a survey answer)
 * to the day of its event time in one global ring of daily buckets, so a report over any
 * window is a sum over at most a year of days and nothing ever scans the customers.
 * `beforeApply` and `afterApply` bracket the state update of one event; the difference
 * between them is the customer's delta.
 *
 * The breakdowns by NPS class and complaint history join what customers say with what
 * they do: each customer of the base belongs to one group of each, moves when an answer
 * or a complaint changes it, and its revenue, cost, purchases, acquisition and loss count
 * for the group it is in after the event. A group's base at the start of a window is its
 * size now less the customers that moved in during the window.
 *
 * Events too late for the windows change the running totals (the base, group sizes,
 * open complaints) but no day, like the customers' own windows.
 */
export class BusinessMetrics {
  readonly maxWindowDays: number;
  readonly #inactivityMs: number;
  readonly #valueTiers: ValueTierThresholds;
  readonly #days: RollingWindow;
  /** Reaches `inactivity` days past the watermark, where the scheduled lapses are. */
  readonly #lapses: RollingWindow;
  readonly #lifecycle: LifecycleSchedule;
  readonly #factsBefore = new LifecycleFacts();
  readonly #factsAfter = new LifecycleFacts();
  /**
   * The day of the largest event time seen (-1: none): scheduled lapses and stage changes
   * up to it are realized, and flows from a day through it give the base at that day's start.
   */
  #today = -1;
  #firstPurchasesEver = 0;
  #returnedEver = 0;
  #lapsedEver = 0;
  /** Customers seen and not cancelled, now. */
  #base = 0;
  #openComplaints = 0;
  readonly #groupMembers = new Float64Array(GROUP_COUNT);
  // The customer's state before the event being applied.
  #wasNew = false;
  #hadSignup = false;
  #wasCancelled = false;
  #revenue = 0;
  #openComplaintsBefore = 0;
  #npsGroupBefore = 0;
  #complaintGroupBefore = 0;
  #valueTierGroupBefore = 0;
  #lastPurchaseBefore = 0;
  #purchasesBefore = 0;
  #purchaseAmountBefore = 0;
  #categoriesBefore = 0;

  /**
   * `maxWindowDays`: the longest window reports may ask for; `inactivityMs`: how long
   * without a purchase before a customer counts as lapsed; `valueTiers`: the lifetime
   * net revenue from which a customer is in the medium and the high tier.
   */
  constructor(options: {
    maxWindowDays: number;
    allowedLatenessMs: number;
    inactivityMs: number;
    valueTiers: ValueTierThresholds;
    lifecycle: LifecyclePolicy;
  }) {
    this.maxWindowDays = options.maxWindowDays;
    this.#inactivityMs = options.inactivityMs;
    this.#valueTiers = options.valueTiers;
    const bucketCount = options.maxWindowDays + Math.ceil(options.allowedLatenessMs / DAY_MS) + 1;
    this.#days = new RollingWindow(new WindowShape(DAY_MS, bucketCount, FIRST_GROUP_SERIES + GROUP_COUNT * GROUP_SERIES));
    const inactivityDays = Math.ceil(options.inactivityMs / DAY_MS);
    this.#lapses = new RollingWindow(new WindowShape(DAY_MS, bucketCount + inactivityDays + 1, Object.keys(LapseSeries).length));
    this.#lifecycle = new LifecycleSchedule(options.lifecycle, bucketCount);
  }

  beforeApply(state: CustomerState): void {
    this.#wasNew = state.firstSeenTs === 0;
    this.#hadSignup = state.signupTs > 0;
    this.#wasCancelled = state.cancelled;
    this.#revenue = state.revenue;
    this.#openComplaintsBefore = state.openComplaints;
    this.#npsGroupBefore = NPS_GROUPS + npsClassIndexOf(state.nps.last);
    this.#complaintGroupBefore = COMPLAINT_GROUPS + complaintHistoryIndexOf(state.complaints, state.openComplaints);
    this.#valueTierGroupBefore = VALUE_TIER_GROUPS + state.valueTier;
    this.#lastPurchaseBefore = state.lastPurchaseTs;
    this.#purchasesBefore = state.purchases;
    this.#purchaseAmountBefore = state.purchaseAmount;
    this.#categoriesBefore = state.categories.length;
    LifecycleFacts.of(state, this.#factsBefore);
  }

  /** `windowed`: the event is within the allowed lateness, so it counts on its day. */
  afterApply(state: CustomerState, event: InteractionEvent, windowed: boolean): void {
    const cancelled = state.cancelled;
    const joined = this.#wasNew ? 1 : 0;
    const lost = !this.#wasCancelled && cancelled ? 1 : 0;
    const reactivated = this.#wasCancelled && !cancelled ? 1 : 0;
    this.#base += joined - lost + reactivated;
    this.#openComplaints += state.openComplaints - this.#openComplaintsBefore;
    const today = Math.floor(event.ts / DAY_MS);
    if (today > this.#today) this.#advanceTo(today);
    if (state.lastPurchaseTs !== this.#lastPurchaseBefore) this.#purchased(this.#lastPurchaseBefore, state.lastPurchaseTs);
    const days = this.#days;
    const slot = windowed ? days.slotOffset(event.ts) : -1;
    const npsGroup = NPS_GROUPS + npsClassIndexOf(state.nps.last);
    const complaintGroup = COMPLAINT_GROUPS + complaintHistoryIndexOf(state.complaints, state.openComplaints);
    this.#move(this.#npsGroupBefore, npsGroup, !cancelled, slot);
    this.#move(this.#complaintGroupBefore, complaintGroup, !cancelled, slot);
    // The tier the customer is counted in is kept in its state, so new thresholds move
    // customers from where they were counted, not from where the new ones would put them.
    state.valueTier = valueTierIndexOf(state.revenue, this.#valueTiers);
    const valueTierGroup = VALUE_TIER_GROUPS + state.valueTier;
    this.#move(this.#valueTierGroupBefore, valueTierGroup, !cancelled, slot);
    const lifecycleGroup = this.#moveLifecycle(state, !cancelled, slot);
    if (slot < 0) return;
    const revenue = state.revenue - this.#revenue;
    const acquired = event.typeIndex === EventTypeIndex.signup && !this.#hadSignup ? 1 : 0;
    const purchases = event.typeIndex === EventTypeIndex.purchase ? 1 : 0;
    const channel = GLOBAL_SERIES + event.channelIndex * CHANNEL_SERIES;
    days.addAt(slot, channel + ChannelSeries.events, 1);
    if (joined !== 0) days.addAt(slot, Series.joined, 1);
    if (reactivated !== 0) days.addAt(slot, Series.reactivated, 1);
    if (acquired !== 0 || lost !== 0 || revenue !== 0 || event.cost !== 0 || purchases !== 0) {
      this.#addFlows(slot, acquired, lost, revenue, event.cost, purchases);
      this.#addFlows(slot + FIRST_GROUP_SERIES + npsGroup * GROUP_SERIES, acquired, lost, revenue, event.cost, purchases);
      this.#addFlows(slot + FIRST_GROUP_SERIES + complaintGroup * GROUP_SERIES, acquired, lost, revenue, event.cost, purchases);
      this.#addFlows(slot + FIRST_GROUP_SERIES + valueTierGroup * GROUP_SERIES, acquired, lost, revenue, event.cost, purchases);
      this.#addFlows(slot + FIRST_GROUP_SERIES + lifecycleGroup * GROUP_SERIES, acquired, lost, revenue, event.cost, purchases);
      if (revenue !== 0) days.addAt(slot, channel + ChannelSeries.revenue, revenue);
    }
    switch (event.typeIndex) {
      case EventTypeIndex.purchase:
        if (this.#purchasesBefore > 0) this.#addRepeatPurchase(slot, event.amount, state.categories.length > this.#categoriesBefore);
        break;
      case EventTypeIndex.complaint:
        days.addAt(slot, Series.complaintsOpened, 1);
        break;
      case EventTypeIndex.complaint_resolved:
        if (this.#openComplaintsBefore > 0 && state.openComplaints === 0) {
          days.addAt(slot, Series.resolutions, 1);
          days.addAt(slot, Series.resolutionMsSum, state.lastResolutionMs);
        }
        break;
      case EventTypeIndex.survey:
        this.#addSurvey(slot, event.survey, event.score);
        break;
    }
  }

  #addRepeatPurchase(slot: number, amount: number, newCategory: boolean): void {
    const days = this.#days;
    days.addAt(slot, Series.repeatPurchaseAmount, amount);
    if (newCategory) {
      days.addAt(slot, Series.crossSellPurchases, 1);
      days.addAt(slot, Series.crossSellAmount, amount);
      return;
    }
    const above = amount - this.#purchaseAmountBefore / this.#purchasesBefore;
    if (above > 0) days.addAt(slot, Series.upSellAmount, above);
  }

  /**
   * The customer's lifecycle stage as of the watermark's day, before and after the event:
   * moves it between groups, takes back what time would have done to it and schedules
   * what time will do now. Returns its group after the event.
   */
  #moveLifecycle(state: CustomerState, inBase: boolean, slot: number): number {
    const schedule = this.#lifecycle;
    const today = this.#today;
    const after = LifecycleFacts.of(state, this.#factsAfter);
    const groupBefore = LIFECYCLE_GROUPS + schedule.stageOn(this.#factsBefore, today);
    const groupAfter = LIFECYCLE_GROUPS + schedule.stageOn(after, today);
    if (!this.#wasNew && !this.#wasCancelled) schedule.schedule(this.#factsBefore, today, -1);
    this.#move(groupBefore, groupAfter, inBase, slot);
    if (inBase) schedule.schedule(after, today, 1);
    return groupAfter;
  }

  /** The watermark reached a new day: the lapses and stage changes scheduled up to it are realized. */
  #advanceTo(today: number): void {
    if (this.#today >= 0) {
      this.#lapsedEver += this.#lapseSum(LapseSeries.lapses, this.#today + 1, today);
      for (let stage = 0; stage < CUSTOMER_STATUSES.length; stage++) {
        this.#groupMembers[LIFECYCLE_GROUPS + stage] += this.#lifecycle.moved(stage, this.#today + 1, today);
      }
    }
    this.#today = today;
  }

  /**
   * A customer's latest purchase moved from `previous` (0: never bought) to `last`. Its
   * scheduled lapse moves with it, unless the inactivity period had already run out:
   * then the lapse stands and the customer has returned.
   */
  #purchased(previous: number, last: number): void {
    const period = this.#inactivityMs;
    if (previous === 0) {
      this.#firstPurchasesEver++;
      this.#lapses.add(last, LapseSeries.firstPurchases, 1);
    } else if (last >= previous + period) {
      this.#returnedEver++;
      this.#lapses.add(last, LapseSeries.returned, 1);
    } else {
      this.#scheduleLapse(previous + period, -1);
    }
    this.#scheduleLapse(last + period, 1);
  }

  #scheduleLapse(ts: number, delta: number): void {
    this.#lapses.add(ts, LapseSeries.lapses, delta);
    if (Math.floor(ts / DAY_MS) <= this.#today) this.#lapsedEver += delta;
  }

  #lapseSum(series: number, first: number, last: number): number {
    return last < first ? 0 : this.#lapses.sum(series, last * DAY_MS, last - first + 1);
  }

  #inactivityFlows(first: number, last: number): InactivityFlows {
    const firstPurchases = this.#lapseSum(LapseSeries.firstPurchases, first, last);
    const returned = this.#lapseSum(LapseSeries.returned, first, last);
    const lapsed = this.#lapseSum(LapseSeries.lapses, first, last);
    const activeNow = this.#firstPurchasesEver + this.#returnedEver - this.#lapsedEver;
    // Flows after `last` (up to the watermark's day) are undone too, for a span ending earlier.
    const later = (series: number) => this.#lapseSum(series, last + 1, this.#today);
    const activeAtEnd = activeNow - later(LapseSeries.firstPurchases) - later(LapseSeries.returned) + later(LapseSeries.lapses);
    const activeAtStart = activeAtEnd - firstPurchases - returned + lapsed;
    return {
      inactivityDays: this.#inactivityMs / DAY_MS,
      activeAtStart,
      activeNow,
      firstPurchases,
      lapsed,
      returned,
      attritionRate: ratio(lapsed, activeAtStart),
    };
  }

  /** Adds the flows of one event at `offset`: a slot, plus the first series of a group for a group's. */
  #addFlows(offset: number, acquired: number, lost: number, revenue: number, cost: number, purchases: number): void {
    const days = this.#days;
    if (acquired !== 0) days.addAt(offset, Flow.acquired, acquired);
    if (lost !== 0) days.addAt(offset, Flow.lost, lost);
    if (revenue !== 0) days.addAt(offset, Flow.revenue, revenue);
    if (cost !== 0) days.addAt(offset, Flow.cost, cost);
    if (purchases !== 0) days.addAt(offset, Flow.purchases, purchases);
  }

  /** A customer of the base leaves group `before` or enters group `after`, if it changed. */
  #move(before: number, after: number, inBase: boolean, slot: number): void {
    const wasInBase = !this.#wasNew && !this.#wasCancelled;
    if (wasInBase === inBase && before === after) return;
    const members = this.#groupMembers;
    if (wasInBase) {
      members[before]--;
      if (slot >= 0) this.#days.addAt(slot, FIRST_GROUP_SERIES + before * GROUP_SERIES + GroupSeries.inflow, -1);
    }
    if (inBase) {
      members[after]++;
      if (slot >= 0) this.#days.addAt(slot, FIRST_GROUP_SERIES + after * GROUP_SERIES + GroupSeries.inflow, 1);
    }
  }

  #addSurvey(slot: number, survey: string, score: number): void {
    const days = this.#days;
    if (survey === "nps") {
      days.addAt(slot, NPS_ANSWER_SERIES[npsClassIndexOf(score)]!, 1);
    } else if (survey === "csat") {
      days.addAt(slot, Series.csatSum, score);
      days.addAt(slot, Series.csatResponses, 1);
    } else if (survey === "ces") {
      days.addAt(slot, Series.cesSum, score);
      days.addAt(slot, Series.cesResponses, 1);
    }
  }

  /** The metrics over the `windowDays` days ending with the day of `nowTs` (the watermark). */
  report(windowDays: number, nowTs: number): BusinessReport {
    this.#checkWindow(windowDays);
    const today = Math.floor(nowTs / DAY_MS);
    const firstDay = today - windowDays + 1;
    const sum = (series: number) => this.#sum(series, firstDay, today);
    const { customers, value } = this.#totals(firstDay, today);
    const promoters = sum(Series.promoters);
    const passives = sum(Series.passives);
    const detractors = sum(Series.detractors);
    const csatResponses = sum(Series.csatResponses);
    const cesResponses = sum(Series.cesResponses);
    const resolutions = sum(Series.resolutions);
    const byChannel = Object.fromEntries(
      CHANNELS.map((channel, c) => {
        const first = GLOBAL_SERIES + c * CHANNEL_SERIES;
        return [channel, { events: sum(first + ChannelSeries.events), revenue: sum(first + ChannelSeries.revenue) }];
      }),
    ) as Record<Channel, { events: number; revenue: number }>;
    const groups = <K extends string>(names: readonly K[], firstGroup: number) =>
      Object.fromEntries(names.map((name, i) => [name, this.#group(firstGroup + i, firstDay, today)])) as Record<K, GroupReport>;
    return {
      windowDays,
      from: firstDay * DAY_MS,
      to: nowTs,
      customers: { ...customers, now: this.#base },
      purchasing: this.#inactivityFlows(firstDay, today),
      value,
      growth: this.#growth(sum),
      attitude: {
        nps: npsOf(promoters, passives, detractors),
        promoters,
        passives,
        detractors,
        csat: ratio(sum(Series.csatSum), csatResponses),
        csatResponses,
        ces: ratio(sum(Series.cesSum), cesResponses),
        cesResponses,
      },
      complaints: {
        opened: sum(Series.complaintsOpened),
        resolutions,
        meanHoursToResolve: resolutions === 0 ? null : sum(Series.resolutionMsSum) / resolutions / 3_600_000,
        openNow: this.#openComplaints,
      },
      byChannel,
      byNpsClass: groups(NPS_CLASSES, NPS_GROUPS),
      byComplaintHistory: groups(COMPLAINT_HISTORIES, COMPLAINT_GROUPS),
      byValueTier: groups(VALUE_TIERS, VALUE_TIER_GROUPS),
      byLifecycleStage: groups(CUSTOMER_STATUSES, LIFECYCLE_GROUPS),
      byMonth: this.#months(firstDay, today, nowTs),
    };
  }

  #growth(sum: (series: number) => number): GrowthIndex {
    const repeatPurchaseAmount = sum(Series.repeatPurchaseAmount);
    const crossSellAmount = sum(Series.crossSellAmount);
    const upSellAmount = sum(Series.upSellAmount);
    return {
      repeatPurchaseAmount,
      crossSell: { purchases: sum(Series.crossSellPurchases), amount: crossSellAmount },
      upSellAmount,
      index: ratio(crossSellAmount + upSellAmount, repeatPurchaseAmount),
    };
  }

  /** Cancellations over the base at the start of the window, alone: what lifetime value needs per profile query. */
  attritionRate(windowDays: number, nowTs: number): number | null {
    this.#checkWindow(windowDays);
    const today = Math.floor(nowTs / DAY_MS);
    return this.#totals(today - windowDays + 1, today).customers.attritionRate;
  }

  #checkWindow(windowDays: number): void {
    if (!(Number.isInteger(windowDays) && windowDays >= 1 && windowDays <= this.maxWindowDays)) {
      throw new RangeError(`window must be 1 to ${this.maxWindowDays} whole days, got ${windowDays}`);
    }
  }

  /** Sum of `series` from day `first` through day `last` (days since the epoch). */
  #sum(series: number, first: number, last: number): number {
    return last < first ? 0 : this.#days.sum(series, last * DAY_MS, last - first + 1);
  }

  /** Customer flows and value from day `first` through day `last`. */
  #totals(first: number, last: number): { customers: CustomerFlows & { reactivated: number }; value: ValueTotals } {
    const since = (series: number) => this.#sum(series, first, this.#today);
    const atStart = this.#base - since(Series.joined) - since(Series.reactivated) + since(Series.lost);
    const acquired = this.#sum(Series.acquired, first, last);
    const lost = this.#sum(Series.lost, first, last);
    return {
      customers: {
        atStart,
        acquired,
        lost,
        reactivated: this.#sum(Series.reactivated, first, last),
        acquisitionRate: ratio(acquired, atStart),
        attritionRate: ratio(lost, atStart),
      },
      value: this.#value(0, first, last),
    };
  }

  /** The Flow series from `offset` (0: the whole base; a group's first series) over the days. */
  #value(offset: number, first: number, last: number): ValueTotals {
    const revenue = this.#sum(offset + Flow.revenue, first, last);
    const cost = this.#sum(offset + Flow.cost, first, last);
    return { revenue, cost, profit: revenue - cost, purchases: this.#sum(offset + Flow.purchases, first, last) };
  }

  #group(group: number, first: number, last: number): GroupReport {
    const offset = FIRST_GROUP_SERIES + group * GROUP_SERIES;
    const now = this.#groupMembers[group]!;
    // Lifecycle stages also change with time alone: those moves are in the schedule.
    const movedByTime = group >= LIFECYCLE_GROUPS ? this.#lifecycle.moved(group - LIFECYCLE_GROUPS, first, this.#today) : 0;
    const atStart = now - this.#sum(offset + GroupSeries.inflow, first, this.#today) - movedByTime;
    const acquired = this.#sum(offset + Flow.acquired, first, last);
    const lost = this.#sum(offset + Flow.lost, first, last);
    const value = this.#value(offset, first, last);
    return {
      customers: { atStart, now, acquired, lost, acquisitionRate: ratio(acquired, atStart), attritionRate: ratio(lost, atStart) },
      value: { ...value, profitPerCustomer: ratio(value.profit, (atStart + now) / 2) },
    };
  }

  /** The calendar months (UTC) from day `first` through day `last`, each cut to that span. */
  #months(first: number, last: number, nowTs: number): MonthReport[] {
    const months: MonthReport[] = [];
    for (let day = first; day <= last; ) {
      const start = new Date(day * DAY_MS);
      const nextMonth = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1) / DAY_MS;
      const end = Math.min(last, nextMonth - 1);
      const sum = (series: number) => this.#sum(series, day, end);
      const promoters = sum(Series.promoters);
      const passives = sum(Series.passives);
      const detractors = sum(Series.detractors);
      months.push({
        month: start.toISOString().slice(0, 7),
        from: day * DAY_MS,
        to: end === last ? nowTs : (end + 1) * DAY_MS - 1,
        ...this.#totals(day, end),
        nps: npsOf(promoters, passives, detractors),
        npsResponses: promoters + passives + detractors,
      });
      day = end + 1;
    }
    return months;
  }

  toSnapshot(): BusinessMetricsSnapshot {
    return {
      newestBucket: this.#days.newestBucket,
      days: this.#days.toSparse(),
      base: this.#base,
      openComplaints: this.#openComplaints,
      groupMembers: [...this.#groupMembers],
      lapses: {
        newestBucket: this.#lapses.newestBucket,
        days: this.#lapses.toSparse(),
        today: this.#today,
        firstPurchasesEver: this.#firstPurchasesEver,
        returnedEver: this.#returnedEver,
        lapsedEver: this.#lapsedEver,
      },
      lifecycle: this.#lifecycle.toSnapshot(),
    };
  }

  restore(snapshot: BusinessMetricsSnapshot): void {
    this.#days.restoreSparse(snapshot.newestBucket, snapshot.days);
    this.#base = snapshot.base;
    this.#openComplaints = snapshot.openComplaints;
    this.#groupMembers.set(snapshot.groupMembers);
    const lapses = snapshot.lapses;
    this.#lapses.restoreSparse(lapses.newestBucket, lapses.days);
    this.#today = lapses.today;
    this.#firstPurchasesEver = lapses.firstPurchasesEver;
    this.#returnedEver = lapses.returnedEver;
    this.#lapsedEver = lapses.lapsedEver;
    this.#lifecycle.restore(snapshot.lifecycle);
  }
}

/** Promoters minus detractors, in percent of the answers; null without answers. */
function npsOf(promoters: number, passives: number, detractors: number): number | null {
  const answers = promoters + passives + detractors;
  return answers === 0 ? null : (100 * (promoters - detractors)) / answers;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}
