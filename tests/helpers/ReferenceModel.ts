import type { Channel, CustomerProfile, EventInput, EventType, LifecyclePolicy, Valuation } from "../../engine/index.js";

/**
 * An independent, deliberately naive model of what the engine should hold: it keeps
 * every event of every customer and recomputes each figure by scanning them, where the
 * engine updates counters, typed-array buckets and ring buffers incrementally. Tests
 * feed both the same events and compare. Windows are daily UTC buckets: a window of N
 * days at `asOf` holds the UTC day of `asOf` and the N-1 days before it, counting only
 * events that arrived within the allowed lateness of the watermark. "Last" figures
 * (seen, purchase, survey answer) go by event time, ties to the later arrival; profile
 * fields (plan, region, consents, attributes) go by arrival, as the engine applies them.
 */

const DAY_MS = 86_400_000;

export interface ReferenceSettings {
  /** Events older than the watermark minus this count for lifetime figures but in no window. */
  readonly allowedLatenessMs: number;
  readonly recentInteractions: number;
  readonly contactHistory: number;
  readonly maxProducts: number;
  readonly lifecycle: LifecyclePolicy;
  readonly valueTiers: { readonly medium: number; readonly high: number };
}

export interface ExpectedDecision {
  readonly decisionId: string;
  readonly triggerId: string;
  readonly actionId: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly eventId: string;
  readonly ts: number;
}

interface StoredEvent {
  readonly event: EventInput;
  readonly seq: number;
  /** Arrival order, to break ts ties the way "later arrival wins" does. */
  readonly order: number;
  /** Whether the event was within the allowed lateness when it arrived. */
  readonly windowed: boolean;
}

type Fields = Partial<Record<string, unknown>>;
const field = <T>(event: EventInput, name: string): T | undefined => (event as Fields)[name] as T | undefined;
const amountOf = (event: EventInput) => field<number>(event, "amount") ?? 0;
const costOf = (event: EventInput) => event.cost ?? 0;

/** Contributions of one event to each window series, by series name. */
const SERIES: Readonly<Record<string, (event: EventInput) => number>> = {
  revenue: (e) => (e.type === "purchase" || e.type === "payment" ? amountOf(e) : e.type === "refund" ? -amountOf(e) : 0),
  cost: costOf,
  purchases: (e) => (e.type === "purchase" ? 1 : 0),
  interactions: () => 1,
  serviceCalls: (e) => (e.type === "service_call" ? 1 : 0),
  complaints: (e) => (e.type === "complaint" ? 1 : 0),
  digitalVisits: (e) => (e.type === "web_visit" || e.type === "login" ? 1 : 0),
};

/** What the interaction log shows as the detail of an event. */
function detailOf(event: EventInput): string {
  switch (event.type) {
    case "purchase":
    case "refund":
      return field<string>(event, "product") ?? "";
    case "service_call":
    case "complaint":
    case "cancel":
      return field<string>(event, "reason") ?? "";
    case "web_visit":
    case "page_view":
    case "login":
      return field<string>(event, "page") ?? "";
    case "survey":
      return field<string>(event, "survey") ?? "";
    case "offer_response":
      return field<string>(event, "offerId") ?? "";
    default:
      return "";
  }
}

interface SurveyFacts {
  last: number | null;
  lastTs: number | null;
  lastOrder: number;
  sum: number;
  count: number;
}

/** Everything about one customer derived from its events up to now, by scanning them. */
export class ReferenceCustomer {
  readonly customerId: string;
  readonly events: StoredEvent[] = [];
  readonly decisions: ExpectedDecision[] = [];

  constructor(customerId: string) {
    this.customerId = customerId;
  }

  windowSum(series: string, asOf: number, days: number): number {
    const lastDay = Math.floor(asOf / DAY_MS);
    const firstDay = lastDay - days + 1;
    const contribution = SERIES[series]!;
    let total = 0;
    for (const { event, windowed } of this.events) {
      if (!windowed) continue;
      const day = Math.floor(event.ts / DAY_MS);
      if (day >= firstDay && day <= lastDay) total += contribution(event);
    }
    return total;
  }

  windows(asOf: number, days: number): Record<string, number> {
    return Object.fromEntries(Object.keys(SERIES).map((series) => [series, this.windowSum(series, asOf, days)]));
  }

  /** Scans the events into the facts rules and the profile read. */
  facts() {
    let firstSeen = 0;
    let lastSeen = 0;
    let lastActive = 0;
    let signup = 0;
    let cancel = 0;
    let lastPurchase = 0;
    let purchases = 0;
    let revenue = 0;
    let refunds = 0;
    let cost = 0;
    let serviceCalls = 0;
    let openComplaints = 0;
    let complaints = 0;
    let lastComplaint = 0;
    let openSince = 0;
    let lastResolutionMs: number | null = null;
    let offerResponses = 0;
    let offersAccepted = 0;
    let offersDeclined = 0;
    let lastDecline = 0;
    let lastSeq = 0;
    let plan: string | null = null;
    let region: string | null = null;
    let birthYear: number | null = null;
    let preferredChannel: Channel | null = null;
    const consents: Partial<Record<Channel, boolean>> = {};
    const attributes: Record<string, string | number | boolean> = {};
    const products: string[] = [];
    const categories: string[] = [];
    const byChannel: Partial<Record<string, number>> = {};
    const byType: Partial<Record<string, number>> = {};
    const surveys: Record<string, SurveyFacts> = {};
    for (const kind of ["nps", "csat", "ces"]) surveys[kind] = { last: null, lastTs: null, lastOrder: -1, sum: 0, count: 0 };

    for (const { event, seq, order } of this.events) {
      const ts = event.ts;
      if (firstSeen === 0 || ts < firstSeen) firstSeen = ts;
      lastSeen = Math.max(lastSeen, ts);
      lastSeq = Math.max(lastSeq, seq);
      byChannel[event.channel] = (byChannel[event.channel] ?? 0) + 1;
      byType[event.type] = (byType[event.type] ?? 0) + 1;
      cost += costOf(event);
      const passive = event.type === "profile" || (event.type === "offer_response" && event.response === "impression");
      if (!passive) lastActive = Math.max(lastActive, ts);
      switch (event.type) {
        case "profile":
          if (event.plan !== undefined) plan = event.plan;
          if (event.region !== undefined) region = event.region;
          if (event.birthYear !== undefined) birthYear = event.birthYear;
          if (event.preferredChannel !== undefined) preferredChannel = event.preferredChannel;
          if (event.consents !== undefined) Object.assign(consents, event.consents);
          if (event.attrs !== undefined) Object.assign(attributes, event.attrs);
          break;
        case "signup":
          signup = Math.max(signup, ts);
          if (event.plan !== undefined) plan = event.plan;
          break;
        case "purchase":
          purchases++;
          revenue += event.amount;
          lastPurchase = Math.max(lastPurchase, ts);
          if (!products.includes(event.product)) products.push(event.product);
          if (!categories.includes(event.category)) categories.push(event.category);
          break;
        case "refund":
          revenue -= event.amount;
          refunds += event.amount;
          break;
        case "payment":
          revenue += event.amount;
          break;
        case "service_call":
          serviceCalls++;
          break;
        case "complaint":
          if (openComplaints === 0) openSince = ts;
          openComplaints++;
          complaints++;
          lastComplaint = Math.max(lastComplaint, ts);
          break;
        case "complaint_resolved":
          if (openComplaints > 0) {
            openComplaints--;
            if (openComplaints === 0) {
              lastResolutionMs = Math.max(0, ts - openSince);
              openSince = 0;
            }
          }
          break;
        case "survey": {
          const facts = surveys[event.survey]!;
          if (facts.lastTs === null || ts > facts.lastTs || (ts === facts.lastTs && order > facts.lastOrder)) {
            facts.last = event.score;
            facts.lastTs = ts;
            facts.lastOrder = order;
          }
          facts.sum += event.score;
          facts.count++;
          break;
        }
        case "offer_response":
          offerResponses++;
          if (event.response === "accept" || event.response === "convert") offersAccepted++;
          if (event.response === "decline") {
            offersDeclined++;
            lastDecline = Math.max(lastDecline, ts);
          }
          break;
        case "cancel":
          cancel = Math.max(cancel, ts);
          break;
      }
    }
    return {
      firstSeen, lastSeen, lastActive, signup, cancel, lastPurchase, purchases, revenue, refunds, cost, serviceCalls,
      openComplaints, complaints, lastComplaint, openSince, lastResolutionMs, offerResponses, offersAccepted,
      offersDeclined, lastDecline, lastSeq, plan, region, birthYear, preferredChannel, consents, attributes, products,
      categories, byChannel, byType, surveys,
    };
  }
}

export type CustomerFacts = ReturnType<ReferenceCustomer["facts"]>;

/** Feeds events in stream order and predicts state, triggered decisions and profiles. */
export class ReferenceModel {
  readonly settings: ReferenceSettings;
  readonly customers = new Map<string, ReferenceCustomer>();
  readonly decisions: ExpectedDecision[] = [];
  watermark = 0;
  /** Events that arrived later than the allowed lateness. */
  late = 0;
  #order = 0;

  constructor(settings: ReferenceSettings) {
    this.settings = settings;
  }

  apply(event: EventInput, seq: number): void {
    let customer = this.customers.get(event.customerId);
    if (customer === undefined) {
      customer = new ReferenceCustomer(event.customerId);
      this.customers.set(event.customerId, customer);
    }
    const windowed = event.ts >= this.watermark - this.settings.allowedLatenessMs;
    if (!windowed) this.late++;
    customer.events.push({ event, seq, order: this.#order++, windowed });
    this.watermark = Math.max(this.watermark, event.ts);
    for (const decision of this.#triggered(customer, event)) {
      customer.decisions.push(decision);
      this.decisions.push(decision);
    }
  }

  /**
   * Lifecycle stage: churned once cancelled (until a later signup) or inactive past
   * churnedAfter; at risk when inactive past atRiskAfter, with a complaint open or a
   * detractor NPS; new within newFor of the signup (or first sighting); else active.
   * Inactivity counts from the last customer-initiated interaction, or from the first
   * sighting for a customer who never acted.
   */
  status(facts: CustomerFacts, asOf: number): "new" | "active" | "at-risk" | "churned" {
    const policy = this.settings.lifecycle;
    if (facts.cancel > 0 && facts.cancel >= facts.signup) return "churned";
    const activeSince = facts.lastActive > 0 ? facts.lastActive : facts.firstSeen;
    if (activeSince === 0) return "new";
    const inactive = asOf - activeSince;
    if (inactive > policy.churnedAfterMs) return "churned";
    const lastNps = facts.surveys.nps!.last;
    if (inactive > policy.atRiskAfterMs || facts.openComplaints > 0 || (lastNps !== null && lastNps <= 6)) return "at-risk";
    const since = facts.signup > 0 ? facts.signup : facts.firstSeen;
    return asOf - since < policy.newForMs ? "new" : "active";
  }

  /** Days since the relationship began: the signup if there was one, else the first interaction. */
  tenureDays(facts: CustomerFacts, asOf: number): number {
    const since = facts.signup > 0 ? facts.signup : facts.firstSeen;
    return since === 0 ? 0 : Math.max(0, (asOf - since) / DAY_MS);
  }

  /**
   * The default configuration's triggers (config/default.yaml), each with its action's
   * eligibility, evaluated at the watermark after the event was applied.
   */
  #triggered(customer: ReferenceCustomer, event: EventInput): ExpectedDecision[] {
    const now = this.watermark;
    const make = (triggerId: string, actionId: string, channel: Channel): ExpectedDecision => ({
      decisionId: `${event.id}:${triggerId}`,
      triggerId,
      actionId,
      customerId: event.customerId,
      channel,
      eventId: event.id,
      ts: event.ts,
    });
    switch (event.type) {
      case "complaint": {
        // service-recovery-callback: openComplaints > 0 (true right after a complaint)
        return customer.facts().openComplaints > 0 ? [make("complaint-callback", "service-recovery-callback", "callcenter")] : [];
      }
      case "purchase":
        // thank-you-note: always eligible, offered on web
        return event.channel === "web" && event.amount >= 500 ? [make("high-value-web-thanks", "thank-you-note", "web")] : [];
      case "survey": {
        if (event.survey !== "nps" || event.score > 6) return [];
        const lastNps = customer.facts().surveys.nps!.last;
        return lastNps !== null && lastNps <= 6 ? [make("detractor-follow-up", "nps-follow-up", "callcenter")] : [];
      }
      case "service_call":
        return customer.windowSum("serviceCalls", now, 7) >= 3 ? [make("repeated-service-calls", "proactive-care-call", "callcenter")] : [];
      case "cancel": {
        const facts = customer.facts();
        const status = this.status(facts, now);
        const daysSinceDecline = facts.lastDecline === 0 ? Number.POSITIVE_INFINITY : Math.max(0, (now - facts.lastDecline) / DAY_MS);
        const eligible = (status === "at-risk" || status === "churned") && facts.openComplaints === 0 && daysSinceDecline > 14;
        return eligible ? [make("cancellation-save", "win-back-discount", "callcenter")] : [];
      }
      case "signup": {
        const facts = customer.facts();
        const eligible = this.tenureDays(facts, now) < 30 && customer.windowSum("digitalVisits", now, 30) < 3;
        return eligible ? [make("welcome", "digital-onboarding", "email")] : [];
      }
      default:
        return [];
    }
  }

  /**
   * The 360 view the engine should answer for a customer at `asOf`, in the shape of
   * CustomerProfile. Lifetime value takes the base's retention as the engine has it
   * (`engine.valuation()`, tested against the business metrics on its own); the
   * configuration has no probability-alive model.
   */
  profile(customerId: string, asOf: number, valuation: Valuation): Record<string, unknown> | undefined {
    const customer = this.customers.get(customerId);
    if (customer === undefined) return undefined;
    const f = customer.facts();
    const never = (ts: number) => (ts === 0 ? null : ts);
    const survey = (kind: string) => {
      const s = f.surveys[kind]!;
      return { last: s.last, lastTs: s.lastTs, mean: s.count === 0 ? null : s.sum / s.count, count: s.count };
    };
    const tenureMonths = Math.max(1, this.tenureDays(f, asOf) / (365.25 / 12));
    const monthlyProfit = (f.revenue - f.cost) / tenureMonths;
    const cancelled = f.cancel > 0 && f.cancel >= f.signup;
    const r = valuation.monthlyRetention;
    const lastNps = f.surveys.nps!.last;
    const npsClass = lastNps === null ? "unknown" : lastNps >= 9 ? "promoter" : lastNps >= 7 ? "passive" : "detractor";
    const recent = [...customer.events]
      .sort((a, b) => a.event.ts - b.event.ts || a.order - b.order)
      .slice(-this.settings.recentInteractions)
      .map(({ event }) => ({
        ts: event.ts,
        type: event.type as EventType,
        channel: event.channel,
        amount: amountOf(event),
        detail: detailOf(event),
      }));
    return {
      customerId,
      asOf,
      lastSeq: f.lastSeq,
      lifecycle: {
        status: this.status(f, asOf),
        firstSeen: never(f.firstSeen),
        lastSeen: never(f.lastSeen),
        lastActive: never(f.lastActive),
        signup: never(f.signup),
        cancel: never(f.cancel),
        tenureDays: this.tenureDays(f, asOf),
        plan: f.plan,
        region: f.region,
        birthYear: f.birthYear,
        preferredChannel: f.preferredChannel,
        consents: f.consents,
      },
      behaviour: {
        recencyDays: f.lastPurchase === 0 ? null : Math.max(0, (asOf - f.lastPurchase) / DAY_MS),
        purchases: f.purchases,
        revenue: f.revenue,
        refunds: f.refunds,
        cost: f.cost,
        profit: f.revenue - f.cost,
        valueTier: f.revenue >= this.settings.valueTiers.high ? "high" : f.revenue >= this.settings.valueTiers.medium ? "medium" : "low",
        monthlyProfit,
        lifetimeValue: cancelled ? 0 : (monthlyProfit * r) / (1 + valuation.monthlyDiscountRate - r),
        probabilityAlive: null,
        serviceCalls: f.serviceCalls,
        products: f.products.slice(0, this.settings.maxProducts),
        categories: f.categories.slice(0, this.settings.maxProducts),
        last7d: customer.windows(asOf, 7),
        last30d: customer.windows(asOf, 30),
        byChannel: f.byChannel,
        byType: f.byType,
      },
      attitude: {
        npsClass,
        nps: survey("nps"),
        csat: survey("csat"),
        ces: survey("ces"),
        openComplaints: f.openComplaints,
        complaints: f.complaints,
        lastComplaint: never(f.lastComplaint),
        openComplaintSince: never(f.openSince),
        lastResolutionHours: f.lastResolutionMs === null ? null : f.lastResolutionMs / 3_600_000,
      },
      engagement: {
        offerResponses: f.offerResponses,
        offersAccepted: f.offersAccepted,
        offersDeclined: f.offersDeclined,
        decisionsMade: customer.decisions.length,
        recentDecisions: customer.decisions.slice(-this.settings.contactHistory).map((d) => ({
          decisionId: d.decisionId,
          actionId: d.actionId,
          channel: d.channel,
          ts: d.ts,
          source: "trigger",
        })),
      },
      recentInteractions: recent,
      attributes: f.attributes,
    };
  }
}

/**
 * Differences between an actual and an expected value, as "path: actual vs expected"
 * lines. Whole numbers (counts, timestamps, sequences) must match exactly; other
 * numbers (money sums, means, days) within a relative 1e-9, since the engine and the
 * reference add them up in different orders.
 */
/**
 * A 360 view without what the reference does not model: segment memberships and the
 * online models' scores, which have tests of their own (tests/unit/segments, tests/unit/models).
 */
export function modelledPart(profile: CustomerProfile | undefined): Omit<CustomerProfile, "segments" | "scores"> | undefined {
  if (profile === undefined) return undefined;
  const { segments: _segments, scores: _scores, ...modelled } = profile;
  return modelled;
}

export function differences(actual: unknown, expected: unknown, path = "$"): string[] {
  if (typeof expected === "number" && typeof actual === "number") {
    if (Object.is(actual, expected)) return [];
    if (Number.isInteger(actual) && Number.isInteger(expected)) return [`${path}: ${actual} vs ${expected}`];
    return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)) ? [] : [`${path}: ${actual} vs ${expected}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: ${JSON.stringify(actual)} vs an array`];
    const out: string[] = actual.length === expected.length ? [] : [`${path}.length: ${actual.length} vs ${expected.length}`];
    for (let i = 0; i < Math.min(actual.length, expected.length); i++) out.push(...differences(actual[i], expected[i], `${path}[${i}]`));
    return out;
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return [`${path}: ${JSON.stringify(actual)} vs an object`];
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    const out: string[] = [];
    for (const key of keys) {
      const a = (actual as Record<string, unknown>)[key];
      const e = (expected as Record<string, unknown>)[key];
      if (!(key in actual)) out.push(`${path}.${key}: missing vs ${JSON.stringify(e)}`);
      else if (!(key in expected)) out.push(`${path}.${key}: ${JSON.stringify(a)} vs (absent)`);
      else out.push(...differences(a, e, `${path}.${key}`));
    }
    return out;
  }
  return Object.is(actual, expected) ? [] : [`${path}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`];
}
