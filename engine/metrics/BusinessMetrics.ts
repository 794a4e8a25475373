import { CHANNELS, type Channel } from "../events/Channel.js";
import { EventTypeIndex } from "../events/EventType.js";
import type { InteractionEvent } from "../events/InteractionEvent.js";
import { npsClassOf, type CustomerState } from "../state/CustomerState.js";
import { RollingWindow, WindowShape } from "../windows/RollingWindow.js";

const DAY_MS = 86_400_000;

/** Daily series of the global ring; per-channel series follow, CHANNEL_SERIES each. */
const Series = {
  /** Customers seen for the first time (they join the base). */
  joined: 0,
  /** First signups: acquisitions. */
  acquired: 1,
  /** Cancellations of an active relationship (contractual attrition). */
  lost: 2,
  /** Signups after a cancellation: back in the base. */
  reactivated: 3,
  revenue: 4,
  cost: 5,
  purchases: 6,
  promoters: 7,
  passives: 8,
  detractors: 9,
  csatSum: 10,
  csatResponses: 11,
  cesSum: 12,
  cesResponses: 13,
  complaintsOpened: 14,
  /** Customers whose open complaints were all resolved, and the time that took. */
  resolutions: 15,
  resolutionMsSum: 16,
} as const;
const GLOBAL_SERIES = 17;
const ChannelSeries = { events: 0, revenue: 1 } as const;
const CHANNEL_SERIES = 2;

/** The business-metrics part of a checkpoint. */
export interface BusinessMetricsSnapshot {
  readonly newestBucket: number;
  /** RollingWindow.toSparse of the daily ring. */
  readonly days: number[];
  readonly base: number;
  readonly openComplaints: number;
}

/** The headline metrics over one window ending at the event-time watermark. */
export interface BusinessReport {
  readonly windowDays: number;
  /** Event-time span (epoch ms): from the start of the window's first day to the watermark. */
  readonly from: number;
  readonly to: number;
  readonly customers: {
    /** The base (customers seen and not cancelled) when the window began. */
    readonly atStart: number;
    readonly now: number;
    readonly acquired: number;
    readonly lost: number;
    readonly reactivated: number;
    /** Acquired over the base at the start; null while that base is empty. */
    readonly acquisitionRate: number | null;
    /** Lost (cancelled) over the base at the start; null while that base is empty. */
    readonly attritionRate: number | null;
  };
  readonly value: { readonly revenue: number; readonly cost: number; readonly profit: number; readonly purchases: number };
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
}

/**
 * Business metrics of the whole customer base, kept incrementally: each applied event
 * adds its customer's change (revenue, a first signup, a cancellation, a survey answer)
 * to the day of its event time in one global ring of daily buckets, so a report over any
 * window is a sum over at most a year of days and nothing ever scans the customers.
 * `beforeApply` and `afterApply` bracket the state update of one event; the difference
 * between them is the customer's delta.
 *
 * Events too late for the windows change the running totals (the base, open complaints)
 * but no day, like the customers' own windows.
 */
export class BusinessMetrics {
  readonly maxWindowDays: number;
  readonly #days: RollingWindow;
  /** Customers seen and not cancelled, now. */
  #base = 0;
  #openComplaints = 0;
  // The customer's state before the event being applied.
  #wasNew = false;
  #hadSignup = false;
  #wasCancelled = false;
  #revenue = 0;
  #openComplaintsBefore = 0;

  /** `maxWindowDays`: the longest window reports may ask for. */
  constructor(maxWindowDays: number, allowedLatenessMs: number) {
    this.maxWindowDays = maxWindowDays;
    const bucketCount = maxWindowDays + Math.ceil(allowedLatenessMs / DAY_MS) + 1;
    this.#days = new RollingWindow(new WindowShape(DAY_MS, bucketCount, GLOBAL_SERIES + CHANNELS.length * CHANNEL_SERIES));
  }

  beforeApply(state: CustomerState): void {
    this.#wasNew = state.firstSeenTs === 0;
    this.#hadSignup = state.signupTs > 0;
    this.#wasCancelled = state.cancelled;
    this.#revenue = state.revenue;
    this.#openComplaintsBefore = state.openComplaints;
  }

  /** `windowed`: the event is within the allowed lateness, so it counts on its day. */
  afterApply(state: CustomerState, event: InteractionEvent, windowed: boolean): void {
    const cancelled = state.cancelled;
    const joined = this.#wasNew ? 1 : 0;
    const lost = !this.#wasCancelled && cancelled ? 1 : 0;
    const reactivated = this.#wasCancelled && !cancelled ? 1 : 0;
    this.#base += joined - lost + reactivated;
    this.#openComplaints += state.openComplaints - this.#openComplaintsBefore;
    if (!windowed) return;
    const days = this.#days;
    const slot = days.slotOffset(event.ts);
    if (slot < 0) return;
    const revenue = state.revenue - this.#revenue;
    const channel = GLOBAL_SERIES + event.channelIndex * CHANNEL_SERIES;
    days.addAt(slot, channel + ChannelSeries.events, 1);
    if (joined !== 0) days.addAt(slot, Series.joined, 1);
    if (lost !== 0) days.addAt(slot, Series.lost, 1);
    if (reactivated !== 0) days.addAt(slot, Series.reactivated, 1);
    if (revenue !== 0) {
      days.addAt(slot, Series.revenue, revenue);
      days.addAt(slot, channel + ChannelSeries.revenue, revenue);
    }
    if (event.cost !== 0) days.addAt(slot, Series.cost, event.cost);
    switch (event.typeIndex) {
      case EventTypeIndex.signup:
        if (!this.#hadSignup) days.addAt(slot, Series.acquired, 1);
        break;
      case EventTypeIndex.purchase:
        days.addAt(slot, Series.purchases, 1);
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

  #addSurvey(slot: number, survey: string, score: number): void {
    const days = this.#days;
    if (survey === "nps") {
      const npsClass = npsClassOf(score);
      days.addAt(slot, npsClass === "promoter" ? Series.promoters : npsClass === "passive" ? Series.passives : Series.detractors, 1);
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
    if (!(Number.isInteger(windowDays) && windowDays >= 1 && windowDays <= this.maxWindowDays)) {
      throw new RangeError(`window must be 1 to ${this.maxWindowDays} whole days, got ${windowDays}`);
    }
    const sum = (series: number) => this.#days.sum(series, nowTs, windowDays);
    const acquired = sum(Series.acquired);
    const lost = sum(Series.lost);
    const reactivated = sum(Series.reactivated);
    const atStart = this.#base - sum(Series.joined) - reactivated + lost;
    const revenue = sum(Series.revenue);
    const cost = sum(Series.cost);
    const promoters = sum(Series.promoters);
    const passives = sum(Series.passives);
    const detractors = sum(Series.detractors);
    const npsResponses = promoters + passives + detractors;
    const csatResponses = sum(Series.csatResponses);
    const cesResponses = sum(Series.cesResponses);
    const resolutions = sum(Series.resolutions);
    const byChannel = Object.fromEntries(
      CHANNELS.map((channel, c) => {
        const first = GLOBAL_SERIES + c * CHANNEL_SERIES;
        return [channel, { events: sum(first + ChannelSeries.events), revenue: sum(first + ChannelSeries.revenue) }];
      }),
    ) as Record<Channel, { events: number; revenue: number }>;
    return {
      windowDays,
      from: (Math.floor(nowTs / DAY_MS) - windowDays + 1) * DAY_MS,
      to: nowTs,
      customers: {
        atStart,
        now: this.#base,
        acquired,
        lost,
        reactivated,
        acquisitionRate: ratio(acquired, atStart),
        attritionRate: ratio(lost, atStart),
      },
      value: { revenue, cost, profit: revenue - cost, purchases: sum(Series.purchases) },
      attitude: {
        nps: npsResponses === 0 ? null : (100 * (promoters - detractors)) / npsResponses,
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
    };
  }

  toSnapshot(): BusinessMetricsSnapshot {
    return { newestBucket: this.#days.newestBucket, days: this.#days.toSparse(), base: this.#base, openComplaints: this.#openComplaints };
  }

  restore(snapshot: BusinessMetricsSnapshot): void {
    this.#days.restoreSparse(snapshot.newestBucket, snapshot.days);
    this.#base = snapshot.base;
    this.#openComplaints = snapshot.openComplaints;
  }
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}
