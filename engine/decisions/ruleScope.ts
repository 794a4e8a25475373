import { CHANNEL_INDEX, CHANNELS } from "../events/Channel.js";
import type { FunctionBinding, NameBinding, Reader, RuleScope, ValueType } from "../rules/RuleScope.js";
import { npsClassOf, WINDOW_SERIES_NAMES, WindowSeries, type CustomerState } from "../state/CustomerState.js";
import { BASE_METRICS, type BaseMetric } from "../metrics/BaseMetricReader.js";
import type { RuleContext } from "./RuleContext.js";

/**
 * How a name's value changes as event time passes with no event of the customer's own,
 * so segments can set a timer for the moment a rule may turn (engine/segments):
 * - `since`: days since a timestamp of the state (0: never, the value does not move);
 * - `lifecycle`: the lifecycle status, which moves at the policy's thresholds;
 * - `window`: a window sum, which drops as its daily buckets age out.
 */
export type TimeDependence =
  | { readonly kind: "since"; readonly since: (customer: CustomerState) => number }
  | { readonly kind: "lifecycle" }
  | { readonly kind: "window"; readonly series: number; readonly days: number };

/** A name rules may use, with what it means; `docs/rules.md` lists them all. */
export interface RuleName {
  readonly name: string;
  readonly type: ValueType;
  readonly description: string;
  readonly read: Reader<RuleContext>;
  /** Absent: the value changes only when an event changes the state. */
  readonly time?: TimeDependence;
}

export interface RuleFunction extends FunctionBinding<RuleContext> {
  readonly name: string;
  readonly description: string;
}

const name = (n: string, type: ValueType, description: string, read: Reader<RuleContext>, time?: TimeDependence): RuleName =>
  time === undefined ? { name: n, type, description, read } : { name: n, type, description, read, time };

const since = (ts: (customer: CustomerState) => number): TimeDependence => ({ kind: "since", since: ts });
const tenureStart = (customer: CustomerState) => (customer.signupTs > 0 ? customer.signupTs : customer.firstSeenTs);

const WINDOW_DAYS = [7, 30] as const;

/** Names over the customer's 360 view, measured at the engine's event-time "now". */
export const CUSTOMER_NAMES: readonly RuleName[] = [
  name("customerId", "string", "The customer's id", (c) => c.customer.customerId),
  name("known", "boolean", "The engine had seen the customer before this decision", (c) => c.known),
  name(
    "status",
    "string",
    'Lifecycle: "new", "active", "at-risk" or "churned"',
    (c) => c.customer.statusAt(c.now, c.lifecycle),
    { kind: "lifecycle" },
  ),
  name("cancelled", "boolean", "The customer cancelled and has not signed up again", (c) => c.customer.cancelled),
  name("tenureDays", "number", "Days since signup or first interaction", (c) => c.customer.tenureDays(c.now), since(tenureStart)),
  name("plan", "string", "Plan from the last profile or signup", (c) => c.customer.plan),
  name("region", "string", "Region from the last profile", (c) => c.customer.region),
  name("preferredChannel", "string", 'Stated channel preference, "" if none', (c) =>
    c.customer.preferredChannel < 0 ? "" : CHANNELS[c.customer.preferredChannel],
  ),
  name("daysSinceLastSeen", "number", "Days since any event (Infinity if never)", (c) =>
    c.customer.daysSince(c.customer.lastSeenTs, c.now),
    since((customer) => customer.lastSeenTs),
  ),
  name("daysSinceLastActive", "number", "Days since the last customer-initiated interaction", (c) =>
    c.customer.daysSince(c.customer.lastActiveTs, c.now),
    since((customer) => customer.lastActiveTs),
  ),
  name("daysSinceLastPurchase", "number", "Recency: days since the last purchase (Infinity if never)", (c) =>
    c.customer.daysSince(c.customer.lastPurchaseTs, c.now),
    since((customer) => customer.lastPurchaseTs),
  ),
  name("purchases", "number", "Frequency: purchases, lifetime", (c) => c.customer.purchases),
  name("revenue", "number", "Monetary: net revenue (purchases and payments less refunds), lifetime", (c) => c.customer.revenue),
  name("refunds", "number", "Refunded amount, lifetime", (c) => c.customer.refunds),
  name("cost", "number", "Cost to serve, lifetime", (c) => c.customer.cost),
  name("profit", "number", "Net revenue less cost to serve, lifetime", (c) => c.customer.revenue - c.customer.cost),
  name("serviceCalls", "number", "Service calls, lifetime", (c) => c.customer.serviceCalls),
  name("complaints", "number", "Complaints opened, lifetime", (c) => c.customer.complaints),
  name("openComplaints", "number", "Complaints open now", (c) => c.customer.openComplaints),
  name("lastNps", "number", "Last NPS answer 0-10 (NaN if none; comparisons with NaN are false)", (c) => c.customer.nps.last),
  name("avgNps", "number", "Mean NPS answer", (c) => c.customer.nps.mean),
  name("npsClass", "string", '"promoter", "passive", "detractor" or "unknown", from the last NPS answer', (c) =>
    npsClassOf(c.customer.nps.last),
  ),
  name("lastCsat", "number", "Last CSAT answer 1-5", (c) => c.customer.csat.last),
  name("avgCsat", "number", "Mean CSAT answer", (c) => c.customer.csat.mean),
  name("lastCes", "number", "Last CES answer 1-7", (c) => c.customer.ces.last),
  name("avgCes", "number", "Mean CES answer", (c) => c.customer.ces.mean),
  name("offersAccepted", "number", "Offers accepted or converted, lifetime", (c) => c.customer.offersAccepted),
  name("offersDeclined", "number", "Offers declined, lifetime", (c) => c.customer.offersDeclined),
  name("daysSinceLastDecline", "number", "Days since the customer last declined an offer", (c) =>
    c.customer.daysSince(c.customer.lastDeclineTs, c.now),
    since((customer) => customer.lastDeclineTs),
  ),
  name("decisions", "number", "Decisions made for the customer, lifetime", (c) => c.customer.contacts.total),
  name("churnRisk", "number", "Churn model: probability of cancelling or going quiet past lifecycle.churnedAfter (NaN with models off)", (c) =>
    c.models === null ? Number.NaN : c.models.churnRisk(c.customer, c.now),
  ),
  name("products", "list", "Distinct products bought", (c) => c.customer.products),
  name("categories", "list", "Distinct product categories bought", (c) => c.customer.categories),
  ...WINDOW_SERIES_NAMES.flatMap((series) =>
    WINDOW_DAYS.map((days) => {
      const index = WindowSeries[series];
      return name(
        `${series}${days}d`,
        "number",
        `Sum of ${series} over the last ${days} days`,
        (c) => c.customer.windowSum(index, c.now, days),
        { kind: "window", series: index, days },
      );
    }),
  ),
];

/** Names over the triggering event. */
export const EVENT_NAMES: readonly RuleName[] = [
  name("event.type", "string", "Event type", (c) => c.event!.type),
  name("event.channel", "string", "Channel the event came in on", (c) => c.event!.channel),
  name("event.amount", "number", "Amount (purchase, refund, payment, conversion), 0 if none", (c) => c.event!.amount),
  name("event.cost", "number", "Cost to serve of this event, 0 if none", (c) => c.event!.cost),
  name("event.product", "string", "Product id", (c) => c.event!.product),
  name("event.category", "string", "Product category", (c) => c.event!.category),
  name("event.survey", "string", 'Survey kind: "nps", "csat" or "ces"', (c) => c.event!.survey),
  name("event.score", "number", "Survey score (NaN if not a survey)", (c) => c.event!.score),
  name("event.offerId", "string", "Action responded to", (c) => c.event!.offerId),
  name("event.response", "string", "Offer response kind", (c) => c.event!.response),
  name("event.reason", "string", "Service call, complaint or cancellation reason", (c) => c.event!.reason),
  name("event.page", "string", "Page of a visit or page view", (c) => c.event!.page),
];

/** The channel a decision is being made for (and, as `context.<key>`, the request's context). */
export const CHANNEL_NAMES: readonly RuleName[] = [
  name("channel", "string", "The channel the decision is for", (c) => c.channel),
];

const channelArgument = (args: readonly { constant: boolean; read: Reader<RuleContext> }[]) => {
  const arg = args[0]!;
  if (!arg.constant) return { error: "the channel must be a constant string", arg: 0 } as const;
  const value = arg.read(undefined as unknown as RuleContext);
  const index = CHANNEL_INDEX.get(value as string);
  if (index === undefined) return { error: `unknown channel; expected one of: ${CHANNELS.join(", ")}`, arg: 0 } as const;
  return index;
};

export const CUSTOMER_FUNCTIONS: readonly RuleFunction[] = [
  {
    name: "hasProduct",
    description: "hasProduct(p): the customer has bought product p",
    params: ["string"],
    returns: "boolean",
    bind: ([product]) => {
      const read = product!.read;
      return (c) => c.customer.products.includes(read(c) as string);
    },
  },
  {
    name: "hasCategory",
    description: "hasCategory(c): the customer has bought in category c",
    params: ["string"],
    returns: "boolean",
    bind: ([category]) => {
      const read = category!.read;
      return (c) => c.customer.categories.includes(read(c) as string);
    },
  },
  {
    name: "purchasePropensity",
    description: 'purchasePropensity("phones"): purchase model: probability of buying in the category within models.purchaseWindow (NaN without a model)',
    params: ["string"],
    returns: "number",
    bind: ([category]) => {
      const read = category!.read;
      return (c) => (c.models === null ? Number.NaN : c.models.purchasePropensity(c.customer, c.now, read(c) as string));
    },
  },
  {
    name: "responsePropensity",
    description: 'responsePropensity("premium-upgrade"): response model: probability of accepting the action if offered now',
    params: ["string"],
    returns: "number",
    bind: ([action]) => {
      const read = action!.read;
      return (c) => (c.models === null ? Number.NaN : c.models.responsePropensity(c.customer, c.now, read(c) as string));
    },
  },
  {
    name: "interactionsOn",
    description: 'interactionsOn("web"): events on a channel, lifetime',
    params: ["string"],
    returns: "number",
    bind: (args) => {
      const index = channelArgument(args);
      return typeof index === "number" ? (c) => c.customer.eventsByChannel[index] : index;
    },
  },
  {
    name: "hasConsent",
    description: 'hasConsent("email"): the customer consented to marketing on a channel',
    params: ["string"],
    returns: "boolean",
    bind: (args) => {
      const index = channelArgument(args);
      return typeof index === "number" ? (c) => c.customer.hasConsent(index) : index;
    },
  },
];

const ATTRIBUTE_PREFIX = "attrs";
const CONTEXT_PREFIX = "context";
const EVENT_ATTRIBUTE_PREFIX = ["event", "attrs"] as const;

/** Which groups of names a rule may use, depending on where in the configuration it is. */
export interface ScopeParts {
  readonly event: boolean;
  readonly channel: boolean;
  /**
   * Segments `inSegment` may name, by id, in membership-bit order: every segment for
   * triggers and eligibility, those defined before it for a segment's own rule.
   */
  readonly segments: readonly string[];
  /**
   * Segments `lookalike` may name, in membership-bit order: every segment for triggers
   * and eligibility. Absent for a segment's own rule, which may not use it: a score moves
   * when the profiles are refreshed, with no event or timer to re-evaluate the membership.
   */
  readonly lookalike?: readonly string[];
  /**
   * The windows (days) `baseMetric` may read. Absent for a segment's own rule, which may
   * not use it: the base's metrics move with other customers' events, which do not
   * re-evaluate this customer's memberships.
   */
  readonly metricWindows?: readonly number[];
}

function inSegmentFunction(segments: readonly string[]): RuleFunction {
  return {
    name: "inSegment",
    description: 'inSegment("id"): the customer is in the segment now',
    params: ["string"],
    returns: "boolean",
    bind: ([segment]) => {
      const id = segment!.constant ? segment!.read(undefined as unknown as RuleContext) : undefined;
      if (typeof id !== "string") return { error: "the segment must be a constant string", arg: 0 };
      const bit = segments.indexOf(id);
      if (bit < 0) {
        const known = segments.length === 0 ? "none" : segments.join(", ");
        return { error: `unknown segment "${id}"; this rule may use: ${known} (a segment's rule only those defined before it)`, arg: 0 };
      }
      const mask = 1 << bit;
      return (c) => (c.customer.segments & mask) !== 0;
    },
  };
}

function lookalikeFunction(segments: readonly string[] | undefined): RuleFunction {
  return {
    name: "lookalike",
    description: 'lookalike("id"): 0 to 1, how much the customer looks like the segment\'s members rather than the rest of the base (docs/segment-profiles.md)',
    params: ["string"],
    returns: "number",
    bind: ([segment]) => {
      if (segments === undefined) return { error: "lookalike is not available in a segment's rule (scores move when profiles are refreshed, with no event to re-evaluate it)", arg: 0 };
      const id = segment!.constant ? segment!.read(undefined as unknown as RuleContext) : undefined;
      if (typeof id !== "string") return { error: "the segment must be a constant string", arg: 0 };
      const index = segments.indexOf(id);
      if (index < 0) return { error: `unknown segment "${id}"; lookalike may use: ${segments.length === 0 ? "none" : segments.join(", ")}`, arg: 0 };
      return (c) => c.lookalike.score(index, c.customer, c.now);
    },
  };
}

function baseMetricFunction(windows: readonly number[] | undefined): RuleFunction {
  const metrics = Object.keys(BASE_METRICS);
  return {
    name: "baseMetric",
    description: `baseMetric("nps", 7): a headline business metric of the whole base over a configured window (metrics.windows), as of the event-time hour: ${metrics.join(", ")}; NaN where it has no value`,
    params: ["string", "number"],
    returns: "number",
    bind: ([metric, window]) => {
      if (windows === undefined) return { error: "baseMetric is not available in a segment's rule (the base's metrics move with other customers' events, which do not re-evaluate this customer)", arg: 0 };
      const name = metric!.constant ? metric!.read(undefined as unknown as RuleContext) : undefined;
      if (typeof name !== "string" || !(name in BASE_METRICS)) return { error: `the metric must be a constant string, one of: ${metrics.join(", ")}`, arg: 0 };
      const days = window!.constant ? window!.read(undefined as unknown as RuleContext) : undefined;
      if (typeof days !== "number" || !windows.includes(days)) return { error: `the window must be a constant number of days from metrics.windows: ${windows.join(", ")}`, arg: 1 };
      const read = BASE_METRICS[name as BaseMetric];
      return (c) => (c.base === null ? Number.NaN : c.base.value(read, days, c.now));
    },
  };
}

/**
 * The scope for a rule: customer names and functions always, free customer attributes
 * as `attrs.<key>`, and event names (triggers) or the target channel and request
 * context (eligibility) where the rule's place provides them. A missing attribute or
 * context key reads as null.
 */
export function ruleScope(parts: ScopeParts): RuleScope<RuleContext> {
  const names = new Map<string, NameBinding<RuleContext>>(CUSTOMER_NAMES.map((n) => [n.name, n]));
  if (parts.event) for (const n of EVENT_NAMES) names.set(n.name, n);
  if (parts.channel) for (const n of CHANNEL_NAMES) names.set(n.name, n);
  const functions = new Map(
    [...CUSTOMER_FUNCTIONS, inSegmentFunction(parts.segments), lookalikeFunction(parts.lookalike), baseMetricFunction(parts.metricWindows)].map((f) => [f.name, f]),
  );
  const known = [...names.keys(), ...functions.keys()];
  return {
    name(path) {
      if (path.length === 2 && path[0] === ATTRIBUTE_PREFIX) {
        const key = path[1]!;
        return { type: "any", read: (c) => c.customer.attributes?.[key] };
      }
      if (parts.event && path.length === 3 && path[0] === EVENT_ATTRIBUTE_PREFIX[0] && path[1] === EVENT_ATTRIBUTE_PREFIX[1]) {
        const key = path[2]!;
        return { type: "any", read: (c) => c.event!.attrs?.[key] };
      }
      if (parts.channel && path.length === 2 && path[0] === CONTEXT_PREFIX) {
        const key = path[1]!;
        return { type: "any", read: (c) => c.context?.[key] };
      }
      return names.get(path.join("."));
    },
    fn: (fnName) => functions.get(fnName),
    knownNames: () => known,
  };
}
