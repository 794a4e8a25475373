import { CHANNELS } from "../events/Channel.js";
import { EVENT_TYPES, EventTypeIndex } from "../events/EventType.js";
import type { InteractionEvent } from "../events/InteractionEvent.js";
import type { ProfileEventInput } from "../events/eventSchema.js";
import { WindowShape } from "../windows/RollingWindow.js";
import { SparseWindow } from "../windows/SparseWindow.js";
import type { CampaignExposure } from "../campaigns/CampaignExposure.js";
import type { PurchaseWatch, ResponseWatch } from "../models/LabelWatch.js";
import { ContactHistory, ContactOutcome } from "./ContactHistory.js";
import { resizedStrings } from "./historyGrowth.js";
import { InteractionLog } from "./InteractionLog.js";
import type { NumberRun } from "./NumberSlabs.js";
import { customerStrings } from "./StringInterner.js";

/** The series every customer's rolling window keeps, one sum per daily bucket. */
export const WindowSeries = {
  /** Net revenue: purchases and payments, less refunds. */
  revenue: 0,
  /** Cost to serve: the `cost` of every event. */
  cost: 1,
  purchases: 2,
  interactions: 3,
  serviceCalls: 4,
  complaints: 5,
  /** Web visits and logins. */
  digitalVisits: 6,
} as const;

export type WindowSeriesName = keyof typeof WindowSeries;
export const WINDOW_SERIES_NAMES = Object.keys(WindowSeries) as WindowSeriesName[];

export const DAY_MS = 86_400_000;
/** The longest span a rule or query reads from a customer's window. */
export const MAX_WINDOW_DAYS = 30;

export const CUSTOMER_STATUSES = ["new", "active", "at-risk", "churned"] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

export const NPS_CLASSES = ["unknown", "detractor", "passive", "promoter"] as const;
export type NpsClass = (typeof NPS_CLASSES)[number];

/** Index in NPS_CLASSES of an NPS answer (NaN: not answered); no string on the hot path. */
export function npsClassIndexOf(score: number): number {
  if (Number.isNaN(score)) return 0;
  if (score >= 9) return 3;
  if (score >= 7) return 2;
  return 1;
}

export function npsClassOf(score: number): NpsClass {
  return NPS_CLASSES[npsClassIndexOf(score)]!;
}

/** A customer's value to the business: its lifetime net revenue against two thresholds. */
export const VALUE_TIERS = ["low", "medium", "high"] as const;
export type ValueTier = (typeof VALUE_TIERS)[number];

/** Lifetime net revenue from which a customer is in the medium and in the high tier. */
export interface ValueTierThresholds {
  readonly medium: number;
  readonly high: number;
}

/** Index in VALUE_TIERS. */
export function valueTierIndexOf(revenue: number, thresholds: ValueTierThresholds): number {
  if (revenue >= thresholds.high) return 2;
  return revenue >= thresholds.medium ? 1 : 0;
}

/** Whether a customer ever complained, and whether a complaint is open now. */
export const COMPLAINT_HISTORIES = ["none", "resolved", "open"] as const;
export type ComplaintHistory = (typeof COMPLAINT_HISTORIES)[number];

/** Index in COMPLAINT_HISTORIES. */
export function complaintHistoryIndexOf(complaints: number, openComplaints: number): number {
  if (openComplaints > 0) return 2;
  return complaints > 0 ? 1 : 0;
}

/** What a customer's lifecycle status depends on, besides the time. */
export class LifecycleFacts {
  cancelled = false;
  lastActiveTs = 0;
  firstSeenTs = 0;
  signupTs = 0;
  openComplaints = 0;
  npsLast = Number.NaN;

  /** Copies a state's facts into `into` (reused on the hot path) or a new object. */
  static of(state: CustomerState, into: LifecycleFacts = new LifecycleFacts()): LifecycleFacts {
    into.cancelled = state.cancelled;
    into.lastActiveTs = state.lastActiveTs;
    into.firstSeenTs = state.firstSeenTs;
    into.signupTs = state.signupTs;
    into.openComplaints = state.openComplaints;
    into.npsLast = state.nps.last;
    return into;
  }
}

const statusFacts = new LifecycleFacts();

/**
 * Lifecycle status (index in CUSTOMER_STATUSES) at `nowTs`. Inactivity counts from the
 * last customer-initiated interaction, or from the first sighting for a customer who
 * never acted; a customer the engine has never seen is new.
 */
export function lifecycleStatusIndex(facts: LifecycleFacts, nowTs: number, policy: LifecyclePolicy): number {
  if (facts.cancelled) return 3;
  const activeSince = facts.lastActiveTs > 0 ? facts.lastActiveTs : facts.firstSeenTs;
  if (activeSince === 0) return 0;
  const inactiveMs = nowTs - activeSince;
  if (inactiveMs > policy.churnedAfterMs) return 3;
  if (inactiveMs > policy.atRiskAfterMs || facts.openComplaints > 0 || facts.npsLast <= 6) return 2;
  const since = facts.signupTs > 0 ? facts.signupTs : facts.firstSeenTs;
  return nowTs - since < policy.newForMs ? 0 : 1;
}

/**
 * The moments at which time alone may change a lifecycle status, into `into`: when
 * "new" ends, and when inactivity reaches at-risk and churned (the status turns just
 * after each, as inactivity must exceed the threshold).
 */
export function lifecycleThresholdTimes(facts: LifecycleFacts, policy: LifecyclePolicy, into: Float64Array): void {
  const activeSince = facts.lastActiveTs > 0 ? facts.lastActiveTs : facts.firstSeenTs;
  const since = facts.signupTs > 0 ? facts.signupTs : facts.firstSeenTs;
  into[0] = since + policy.newForMs;
  into[1] = activeSince + policy.atRiskAfterMs;
  into[2] = activeSince + policy.churnedAfterMs;
}

/** Whether the customer did it: anything but a profile update from enterprise systems or an offer merely shown. */
export function isCustomerActivity(event: InteractionEvent): boolean {
  if (event.typeIndex === EventTypeIndex.profile) return false;
  return event.typeIndex !== EventTypeIndex.offer_response || event.response !== "impression";
}

/** When a customer counts as new, at risk or churned, measured in event time. */
export interface LifecyclePolicy {
  readonly newForMs: number;
  readonly atRiskAfterMs: number;
  readonly churnedAfterMs: number;
}

/**
 * Geometry shared by all customers: window shape, history sizes, and where each part
 * sits in a customer's run of numbers. The time and money fields and the profile field
 * times a customer keeps live in a run of a shared Float64Array (NumberSlabs): no
 * typed array of its own per customer, which kept the garbage collector busy at a
 * million customers (bench/checkpoint/recovery.ts), and no boxed number per field.
 * The event counters are small integers, kept in plain arrays; the window and the
 * histories grow with use (see SparseWindow and historyGrowth): most customers fill a
 * small part of them.
 */
export class StateLayout {
  readonly window: WindowShape;
  readonly recentInteractions: number;
  readonly contactHistory: number;
  readonly maxProducts: number;
  readonly lifecycle: LifecyclePolicy;
  /** Offsets of the parts in a customer's numbers, and their total length. */
  readonly offsets: {
    /** The NumberField slots come first, at offset 0. */
    readonly profileTs: number;
    readonly length: number;
  };

  constructor(options: {
    allowedLatenessMs: number;
    recentInteractions: number;
    contactHistory: number;
    maxProducts: number;
    lifecycle: LifecyclePolicy;
  }) {
    // Daily buckets covering the longest read span plus the allowed lateness, so a
    // late event inside the lateness still finds its bucket.
    const bucketCount = MAX_WINDOW_DAYS + Math.ceil(options.allowedLatenessMs / DAY_MS) + 1;
    this.window = new WindowShape(DAY_MS, bucketCount, WINDOW_SERIES_NAMES.length);
    this.recentInteractions = options.recentInteractions;
    this.contactHistory = options.contactHistory;
    this.maxProducts = options.maxProducts;
    this.lifecycle = options.lifecycle;
    this.offsets = { profileTs: PROFILE_TS_AT, length: PROFILE_TS_AT + PROFILE_FIELD_COUNT };
  }
}

type AttributeValue = string | number | boolean;

/**
 * Slots, in a customer's numbers, of the state's time and money fields. As plain object
 * fields, each of these was a number V8 boxes in a 16-byte heap object of its own
 * (epoch-ms times and amounts are not small integers), for every customer. In the
 * numbers each takes 8 bytes and no box. The fields are accessors, defined from this
 * table below the class.
 */
const NumberField = {
  firstSeenTs: 0,
  lastSeenTs: 1,
  lastActiveTs: 2,
  signupTs: 3,
  cancelTs: 4,
  purchaseAmount: 5,
  firstPurchaseTs: 6,
  lastPurchaseTs: 7,
  revenue: 8,
  refunds: 9,
  cost: 10,
  lastComplaintTs: 11,
  openComplaintSinceTs: 12,
  lastResolutionMs: 13,
  lastDeclineTs: 14,
  segmentsDueTs: 15,
  segmentsVersion: 16,
  churnObservedTs: 17,
} as const satisfies Partial<Record<keyof CustomerState, number>>;
const NUMBER_FIELD_COUNT = Object.keys(NumberField).length;
const PROFILE_TS_AT = NUMBER_FIELD_COUNT;

/** Slots of CustomerState.profileTs; consents take one slot per channel from `consents` on. */
const ProfileField = { plan: 0, region: 1, birthYear: 2, preferredChannel: 3, consents: 4 } as const;
const PROFILE_FIELD_COUNT = ProfileField.consents + CHANNELS.length;
const SURVEY_NPS = "nps";
const SURVEY_CSAT = "csat";

/**
 * One customer's 360-degree view, updated incrementally by each event. Every field is
 * set in the constructor so all instances share one hidden class; timestamps are epoch
 * ms with 0 meaning "never", scores are NaN until known.
 */
export class CustomerState {
  readonly customerId: string;
  /**
   * The array holding the fixed-size numbers below (time and money fields, profile
   * field times; see StateLayout), from `numbersStart` on; shared with other customers
   * when it is a chunk of the store's NumberSlabs.
   */
  readonly numbers: Float64Array;
  readonly numbersStart: number;

  // Identity and lifecycle
  declare firstSeenTs: number;
  declare lastSeenTs: number;
  /** Last customer-initiated interaction (anything but profile updates and offer impressions). */
  declare lastActiveTs: number;
  declare signupTs: number;
  declare cancelTs: number;
  plan = "";
  region = "";
  birthYear = 0;
  /** Channel index, -1 if the customer stated no preference. */
  preferredChannel = -1;
  /** Bit per channel index: consent given. */
  consentMask = 0;
  /** Bit per channel index: consent known (given or refused). */
  consentKnownMask = 0;
  attributes: Record<string, AttributeValue> | null = null;
  /** Event time each attribute was last set: a late, older update does not win. */
  attributeTs: Record<string, number> | null = null;

  // Behaviour, lifetime
  purchases = 0;
  /** Sum of purchase amounts (revenue also holds payments and refunds): the customer's own spending level. */
  declare purchaseAmount: number;
  declare firstPurchaseTs: number;
  declare lastPurchaseTs: number;
  /** Net revenue: purchases and payments, less refunds. */
  declare revenue: number;
  declare refunds: number;
  declare cost: number;
  serviceCalls = 0;
  /**
   * Events by type and by channel index. Plain arrays of small integers: a typed-array
   * view into the numbers would cost an object of about 100 bytes each per customer.
   */
  readonly eventsByType: number[] = zeros(EVENT_TYPES.length);
  readonly eventsByChannel: number[] = zeros(CHANNELS.length);
  /** Distinct, in order of first purchase; replaced, not changed, when one is added. */
  products: readonly string[] = NO_STRINGS;
  categories: readonly string[] = NO_STRINGS;

  // Attitude
  // Survey answers: most customers never answer a survey, so each kind's scores are
  // created at its first answer (see the nps, csat and ces getters).
  #nps: SurveyScores | null = null;
  #csat: SurveyScores | null = null;
  #ces: SurveyScores | null = null;
  openComplaints = 0;
  complaints = 0;
  declare lastComplaintTs: number;
  /** When the oldest complaint still open was opened; 0 when none is open. */
  declare openComplaintSinceTs: number;
  /** Time from first open complaint to all resolved, last time that happened; NaN if never. */
  declare lastResolutionMs: number;

  // Engagement with the company
  offerResponses = 0;
  offersAccepted = 0;
  offersDeclined = 0;
  declare lastDeclineTs: number;
  /** The value tier (index in VALUE_TIERS) the business metrics count the customer in. */
  valueTier = 0;

  // Segments (engine/segments)
  /** Bit per segment, in the order the configuration defines them: the customer is a member. */
  segments = 0;
  /** When time alone may next change a membership (event time); Infinity: not before an event. */
  declare segmentsDueTs: number;
  /** Fingerprint of the segment definitions the bits were computed with; 0 before any. */
  declare segmentsVersion: number;

  // Online models' labels waiting to be known (engine/models/OnlineModels)
  /** Start of the open churn observation (the last activity), 0 if none. */
  declare churnObservedTs: number;
  responseWatches: ResponseWatch[] | null = null;
  purchaseWatch: PurchaseWatch | null = null;

  // Campaigns (engine/campaigns)
  /** Recent campaign exposures (variant or control) whose response window may still be open. */
  exposures: CampaignExposure[] | null = null;

  // Cube (engine/cube)
  /** The newest calendar month (months since January 1970) the cube counted an event of this customer in. */
  cubeMonth = 0;
  /** Bit k: the cube counted the customer in month `cubeMonth - k` (k < 24), its "customers" once per month. */
  cubeMonths = 0;

  readonly window: SparseWindow;
  readonly recent: InteractionLog;
  readonly contacts: ContactHistory;
  /** Stream sequence of the last event applied; replays at or below it are skipped. */
  lastSeq = 0;

  // Checkpointing
  /**
   * The checkpoint epoch in which this state object last changed (0: restored or
   * unpacked, unchanged since): spares the directory a set lookup per change.
   */
  dirtyEpoch = 0;
  /** In a checkpoint being written and not yet captured: capture before the next change. */
  pendingCapture = false;

  /**
   * `run` holds the fixed-size numbers of the state (`layout.offsets.length` of them,
   * zeroed): stored customers get it from the store's NumberSlabs, one-off states an
   * array of their own.
   */
  constructor(customerId: string, layout: StateLayout, run: NumberRun = { numbers: new Float64Array(layout.offsets.length), numbersStart: 0 }) {
    const { numbers, numbersStart: start } = run;
    const o = layout.offsets;
    if (start < 0 || start + o.length > numbers.length) throw new RangeError(`customer state needs ${o.length} numbers from ${start}, the array has ${numbers.length}`);
    this.customerId = customerId;
    this.numbers = numbers;
    this.numbersStart = start;
    this.lastResolutionMs = Number.NaN;
    this.segmentsDueTs = Number.POSITIVE_INFINITY;
    this.window = new SparseWindow(layout.window);
    this.recent = new InteractionLog(layout.recentInteractions);
    this.contacts = new ContactHistory(layout.contactHistory);
  }

  /**
   * Applies one validated event. `windowed` is false for events later than the
   * allowed lateness: they still update lifetime state but no window. Returns whether
   * the windows took the event.
   */
  apply(event: InteractionEvent, windowed: boolean, maxProducts: number): boolean {
    const ts = event.ts;
    if (this.firstSeenTs === 0 || ts < this.firstSeenTs) this.firstSeenTs = ts;
    if (ts > this.lastSeenTs) this.lastSeenTs = ts;
    if (event.seq > this.lastSeq) this.lastSeq = event.seq;
    this.eventsByType[event.typeIndex]!++;
    this.eventsByChannel[event.channelIndex]!++;
    this.cost += event.cost;

    const window = this.window;
    const slot = windowed ? window.slotOffset(ts) : -1;
    if (slot >= 0) {
      window.addAt(slot, WindowSeries.interactions, 1);
      if (event.cost !== 0) window.addAt(slot, WindowSeries.cost, event.cost);
    }

    let detail = "";
    switch (event.typeIndex) {
      case EventTypeIndex.profile:
        this.#applyProfile(event.input as ProfileEventInput, ts);
        break;
      case EventTypeIndex.signup:
        if (ts > this.signupTs) this.signupTs = ts;
        if (event.input !== null && "plan" in event.input && event.input.plan !== undefined && this.#newer(ProfileField.plan, ts)) {
          this.plan = customerStrings.intern(event.input.plan);
        }
        break;
      case EventTypeIndex.purchase:
        this.purchases++;
        this.purchaseAmount += event.amount;
        this.revenue += event.amount;
        if (ts > this.lastPurchaseTs) this.lastPurchaseTs = ts;
        if (this.firstPurchaseTs === 0 || ts < this.firstPurchaseTs) this.firstPurchaseTs = ts;
        this.products = withDistinct(this.products, event.product, maxProducts);
        this.categories = withDistinct(this.categories, event.category, maxProducts);
        if (slot >= 0) {
          window.addAt(slot, WindowSeries.purchases, 1);
          window.addAt(slot, WindowSeries.revenue, event.amount);
        }
        detail = event.product;
        break;
      case EventTypeIndex.refund:
        this.revenue -= event.amount;
        this.refunds += event.amount;
        if (slot >= 0) window.addAt(slot, WindowSeries.revenue, -event.amount);
        detail = event.product;
        break;
      case EventTypeIndex.payment:
        this.revenue += event.amount;
        if (slot >= 0) window.addAt(slot, WindowSeries.revenue, event.amount);
        break;
      case EventTypeIndex.service_call:
        this.serviceCalls++;
        if (slot >= 0) window.addAt(slot, WindowSeries.serviceCalls, 1);
        detail = event.reason;
        break;
      case EventTypeIndex.complaint:
        if (this.openComplaints === 0) this.openComplaintSinceTs = ts;
        this.openComplaints++;
        this.complaints++;
        if (ts > this.lastComplaintTs) this.lastComplaintTs = ts;
        if (slot >= 0) window.addAt(slot, WindowSeries.complaints, 1);
        detail = event.reason;
        break;
      case EventTypeIndex.complaint_resolved:
        if (this.openComplaints > 0) {
          this.openComplaints--;
          if (this.openComplaints === 0) {
            this.lastResolutionMs = Math.max(0, ts - this.openComplaintSinceTs);
            this.openComplaintSinceTs = 0;
          }
        }
        break;
      case EventTypeIndex.web_visit:
      case EventTypeIndex.login:
        if (slot >= 0) window.addAt(slot, WindowSeries.digitalVisits, 1);
        detail = event.page;
        break;
      case EventTypeIndex.page_view:
        detail = event.page;
        break;
      case EventTypeIndex.survey:
        this.scoresOf(event.survey).record(event.score, event.ts);
        detail = event.survey;
        break;
      case EventTypeIndex.offer_response:
        this.#applyOfferResponse(event.response, event.decisionId, event.offerId, ts);
        detail = event.offerId;
        break;
      case EventTypeIndex.cancel:
        if (ts > this.cancelTs) this.cancelTs = ts;
        detail = event.reason;
        break;
    }
    if (ts > this.lastActiveTs && isCustomerActivity(event)) this.lastActiveTs = ts;
    this.recent.record(ts, event.typeIndex, event.channelIndex, event.amount, customerStrings.intern(detail));
    return slot >= 0;
  }

  /** A cancellation stands until a later signup reactivates the customer. */
  get cancelled(): boolean {
    return this.cancelTs > 0 && this.cancelTs >= this.signupTs;
  }

  /** Days since the relationship began: the signup if there was one, else the first interaction. */
  tenureDays(nowTs: number): number {
    const since = this.signupTs > 0 ? this.signupTs : this.firstSeenTs;
    return since === 0 ? 0 : Math.max(0, (nowTs - since) / DAY_MS);
  }

  daysSince(ts: number, nowTs: number): number {
    return ts === 0 ? Number.POSITIVE_INFINITY : Math.max(0, (nowTs - ts) / DAY_MS);
  }

  /** Lifecycle stage at `nowTs` (see lifecycleStatusIndex); rules read it per evaluation, so no allocation. */
  statusAt(nowTs: number, policy: LifecyclePolicy): CustomerStatus {
    return CUSTOMER_STATUSES[lifecycleStatusIndex(LifecycleFacts.of(this, statusFacts), nowTs, policy)]!;
  }

  /** Sum of a window series over the last `days` days (at most MAX_WINDOW_DAYS) up to `nowTs`. */
  windowSum(series: number, nowTs: number, days: number): number {
    return this.window.sum(series, nowTs, days);
  }

  get nps(): SurveyAnswers {
    return this.#nps ?? NO_ANSWERS;
  }

  get csat(): SurveyAnswers {
    return this.#csat ?? NO_ANSWERS;
  }

  get ces(): SurveyAnswers {
    return this.#ces ?? NO_ANSWERS;
  }

  /** The customer's own scores for a survey kind, created at need: to apply or restore answers. */
  scoresOf(survey: string): SurveyScores {
    if (survey === SURVEY_NPS) return (this.#nps ??= new SurveyScores());
    if (survey === SURVEY_CSAT) return (this.#csat ??= new SurveyScores());
    return (this.#ces ??= new SurveyScores());
  }

  hasConsent(channelIndex: number): boolean {
    return (this.consentMask & (1 << channelIndex)) !== 0;
  }

  /**
   * Profile fields are last-writer-wins by event time, field by field: an older update
   * arriving late (a re-sent batch from a CRM) never undoes a newer one, such as a
   * withdrawn consent.
   */
  #applyProfile(input: ProfileEventInput, ts: number): void {
    if (input.plan !== undefined && this.#newer(ProfileField.plan, ts)) this.plan = customerStrings.intern(input.plan);
    if (input.region !== undefined && this.#newer(ProfileField.region, ts)) this.region = customerStrings.intern(input.region);
    if (input.birthYear !== undefined && this.#newer(ProfileField.birthYear, ts)) this.birthYear = input.birthYear;
    if (input.preferredChannel !== undefined && this.#newer(ProfileField.preferredChannel, ts)) {
      this.preferredChannel = CHANNELS.indexOf(input.preferredChannel);
    }
    if (input.consents !== undefined) {
      for (let i = 0; i < CHANNELS.length; i++) {
        const consent = input.consents[CHANNELS[i]!];
        if (consent === undefined || !this.#newer(ProfileField.consents + i, ts)) continue;
        const bit = 1 << i;
        this.consentKnownMask |= bit;
        this.consentMask = consent ? this.consentMask | bit : this.consentMask & ~bit;
      }
    }
    if (input.attrs !== undefined) {
      const attributes = (this.attributes ??= {});
      const attributeTs = (this.attributeTs ??= {});
      for (const [key, value] of Object.entries(input.attrs)) {
        if ((attributeTs[key] ?? 0) > ts) continue;
        attributes[key] = value;
        attributeTs[key] = ts;
      }
    }
  }

  /** Event time each profile field was last set, indexed by ProfileField: a view made per call, for checkpoints. */
  get profileTs(): Float64Array {
    const at = this.numbersStart + PROFILE_TS_AT;
    return view(this.numbers, at, at + PROFILE_FIELD_COUNT);
  }

  /** Claims a profile field for an update at `ts`, unless a later update already set it. */
  #newer(field: number, ts: number): boolean {
    const at = this.numbersStart + PROFILE_TS_AT + field;
    if (this.numbers[at]! > ts) return false;
    this.numbers[at] = ts;
    return true;
  }


  /** Conversion revenue is campaign attribution; the purchase event itself carries the revenue. */
  #applyOfferResponse(response: string, decisionId: string, offerId: string, ts: number): void {
    this.offerResponses++;
    if (response === "accept" || response === "convert") {
      this.offersAccepted++;
      if (decisionId !== "") this.contacts.settle(decisionId, offerId, ContactOutcome.accepted);
    }
    if (response === "decline") {
      this.offersDeclined++;
      if (ts > this.lastDeclineTs) this.lastDeclineTs = ts;
      if (decisionId !== "") this.contacts.settle(decisionId, offerId, ContactOutcome.declined);
    }
  }
}

for (const [name, slot] of Object.entries(NumberField)) {
  Object.defineProperty(CustomerState.prototype, name, {
    get(this: CustomerState): number {
      return this.numbers[this.numbersStart + slot]!;
    },
    set(this: CustomerState, value: number) {
      this.numbers[this.numbersStart + slot] = value;
    },
  });
}

/** One survey kind's answers as the rest of the engine reads them. */
export interface SurveyAnswers {
  /** The latest answer in event time; NaN before any. */
  readonly last: number;
  readonly lastTs: number;
  readonly sum: number;
  readonly count: number;
  /** NaN before any answer. */
  readonly mean: number;
}

/** One survey kind's answers: the latest in event time, and the running mean. */
export class SurveyScores implements SurveyAnswers {
  last = Number.NaN;
  lastTs = 0;
  sum = 0;
  count = 0;

  record(score: number, ts: number): void {
    if (ts >= this.lastTs) {
      this.last = score;
      this.lastTs = ts;
    }
    this.sum += score;
    this.count++;
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }
}

/** The answers of a customer who never answered a survey of the kind; frozen, as every such customer shares it. */
const NO_ANSWERS: SurveyAnswers = Object.freeze(new SurveyScores());

const NO_STRINGS: readonly string[] = [];

function zeros(length: number): number[] {
  return new Array<number>(length).fill(0);
}

/**
 * `values` with `value` added at the end, unless it is empty, already there or `max`
 * are held. Grown to the exact length: most customers hold one or two, and an array
 * pushed to reserves 17.
 */
function withDistinct(values: readonly string[], value: string, max: number): readonly string[] {
  if (value === "" || values.length >= max || values.includes(value)) return values;
  const grown = resizedStrings(values, values.length, values.length + 1);
  grown[values.length] = customerStrings.intern(value);
  return grown;
}

/** `numbers.subarray(start, end)`, built directly on the buffer: cheaper per new customer. */
function view(numbers: Float64Array, start: number, end: number): Float64Array {
  return new Float64Array(numbers.buffer, numbers.byteOffset + start * Float64Array.BYTES_PER_ELEMENT, end - start);
}
