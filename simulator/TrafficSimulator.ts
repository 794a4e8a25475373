import { Subjects } from "../connectors/nats/subjects.js";
import { encodeOutbound, OFFER_RESPONSES, type Channel, type EventInput, type EventType } from "../engine/index.js";
import { MALFORMED_INPUTS, type MalformedInput } from "./malformedInputs.js";
import { Rng } from "./Rng.js";

export interface TrafficOptions {
  readonly seed: number;
  readonly customers: number;
  /** Prefix of every event id; distinct runs need distinct ids for JetStream de-duplication. */
  readonly runId?: string;
  /** Share of messages that are deliberately malformed (0 to 1). */
  readonly malformedRatio?: number;
  /** Share of valid events sent as JSON instead of MessagePack (0 to 1). */
  readonly jsonRatio?: number;
}

/** One message ready to publish. */
export interface SimulatedMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** The event, when the message is a valid one. */
  readonly event: EventInput | undefined;
  /** The kind of damage, when the message is malformed on purpose. */
  readonly malformed: MalformedInput | undefined;
}

/** The interaction mix: relative weights per event type for an existing customer. */
const TYPE_MIX: readonly (readonly [EventType, number])[] = [
  ["page_view", 24],
  ["web_visit", 14],
  ["login", 9],
  ["purchase", 12],
  ["payment", 7],
  ["service_call", 8],
  ["complaint", 2.5],
  ["complaint_resolved", 2.5],
  ["survey", 5],
  ["offer_response", 4],
  ["refund", 1],
  ["profile", 2],
  ["cancel", 0.3],
];
const TYPE_CUMULATIVE = cumulative(TYPE_MIX.map(([, weight]) => weight));

const CATALOG: Readonly<Record<string, readonly string[]>> = {
  phones: ["phone-x1", "phone-x2", "phone-lite"],
  accessories: ["case", "charger", "earbuds"],
  plans: ["plan-basic", "plan-plus", "plan-premium"],
  tv: ["tv-sports", "tv-movies"],
  broadband: ["fiber-500", "fiber-1000"],
  insurance: ["device-care"],
};
const CATEGORIES = Object.keys(CATALOG);
const PLANS = ["basic", "plus", "premium"] as const;
const REGIONS = ["north", "south", "east", "west", "capital"] as const;
const PAGES = ["/", "/offers", "/plans", "/support", "/account", "/shop/phones", "/shop/accessories", "/tv"] as const;
const OFFER_IDS = ["premium-upgrade", "win-back-discount", "accessory-cross-sell", "thank-you-note", "digital-onboarding"] as const;
const RESPONSE_CUMULATIVE = cumulative([40, 25, 10, 20, 5]);
const SERVICE_REASONS = ["billing", "network", "device", "moving", "other"] as const;
const CANCEL_REASONS = ["price", "service", "moving", "competitor"] as const;

/** Median purchase amount per value tier; tiers hold 50%, 30%, 15% and 5% of customers. */
const TIER_MEDIAN_AMOUNT = [20, 60, 150, 400] as const;
const TIER_CUMULATIVE = cumulative([50, 30, 15, 5]);

/**
 * Seeded, realistic multi-channel customer traffic: signups, profiles, purchases with
 * revenue and cost, payments, refunds, service calls, complaints and resolutions,
 * surveys, web and app activity, offer responses and cancellations. Customers differ
 * in value tier, digital affinity and satisfaction; activity is skewed so some
 * customers are far busier than others.
 */
export class TrafficSimulator {
  readonly #rng: Rng;
  readonly #customers: number;
  readonly #runId: string;
  readonly #malformedRatio: number;
  readonly #jsonRatio: number;
  readonly #signedUp: Uint8Array;
  readonly #openComplaints: Uint8Array;
  readonly #tier: Uint8Array;
  /** 0..1: how much the customer prefers web and app over branch, store and phone. */
  readonly #digital: Float32Array;
  /** 0..1: how happy the customer is before complaints. */
  readonly #satisfaction: Float32Array;
  #sequence = 0;

  constructor(options: TrafficOptions) {
    if (!(options.customers >= 1)) throw new RangeError("customers must be at least 1");
    this.#rng = new Rng(options.seed);
    this.#customers = options.customers;
    this.#runId = options.runId ?? `s${options.seed}`;
    this.#malformedRatio = options.malformedRatio ?? 0;
    this.#jsonRatio = options.jsonRatio ?? 0;
    this.#signedUp = new Uint8Array(options.customers);
    this.#openComplaints = new Uint8Array(options.customers);
    this.#tier = new Uint8Array(options.customers);
    this.#digital = new Float32Array(options.customers);
    this.#satisfaction = new Float32Array(options.customers);
    for (let i = 0; i < options.customers; i++) {
      this.#tier[i] = this.#rng.weighted(TIER_CUMULATIVE);
      this.#digital[i] = this.#rng.next();
      this.#satisfaction[i] = 0.3 + 0.7 * this.#rng.next();
    }
  }

  static customerId(index: number): string {
    return `C${index}`;
  }

  /** The next message: usually a valid event, sometimes (malformedRatio) a damaged one. */
  nextMessage(ts: number): SimulatedMessage {
    const event = this.nextEvent(ts);
    const subject = Subjects.event(event.channel, event.customerId);
    if (this.#malformedRatio > 0 && this.#rng.chance(this.#malformedRatio)) {
      const malformed = this.#rng.pick(MALFORMED_INPUTS);
      const damaged = malformed.make(event, this.#rng);
      return {
        subject: damaged.subject ?? subject,
        data: damaged.data,
        event: undefined,
        malformed,
      };
    }
    const data = this.#rng.chance(this.#jsonRatio) ? new TextEncoder().encode(JSON.stringify(event)) : encodeOutbound(event);
    return { subject, data, event, malformed: undefined };
  }

  nextEvent(ts: number): EventInput {
    const rng = this.#rng;
    const index = Math.min(this.#customers - 1, Math.floor(this.#customers * Math.pow(rng.next(), 1.3)));
    const customerId = TrafficSimulator.customerId(index);
    const id = `${this.#runId}-${(this.#sequence++).toString(36)}`;
    if (this.#signedUp[index] === 0) {
      this.#signedUp[index] = 1;
      const channel = this.#pickChannel(index, ["web", "app"], ["branch", "pos"]);
      return { id, customerId, type: "signup", channel, ts, plan: PLANS[Math.min(2, this.#tier[index]!)]! };
    }
    let type = TYPE_MIX[rng.weighted(TYPE_CUMULATIVE)]![0];
    if (type === "complaint_resolved" && this.#openComplaints[index] === 0) type = "page_view";
    return this.#event(type, index, id, customerId, ts);
  }

  #event(type: EventType, index: number, id: string, customerId: string, ts: number): EventInput {
    const rng = this.#rng;
    const tier = this.#tier[index]!;
    switch (type) {
      case "purchase": {
        const category = rng.pick(CATEGORIES);
        const amount = round2(rng.logNormal(TIER_MEDIAN_AMOUNT[tier]!, 0.8));
        return {
          id,
          customerId,
          type,
          channel: this.#pickChannel(index, ["web", "app"], ["pos", "branch"]),
          ts,
          amount,
          cost: round2(amount * (0.55 + 0.25 * rng.next())),
          product: rng.pick(CATALOG[category]!),
          category,
          quantity: 1 + (rng.chance(0.1) ? rng.int(3) : 0),
        };
      }
      case "refund": {
        const category = rng.pick(CATEGORIES);
        return {
          id,
          customerId,
          type,
          channel: this.#pickChannel(index, ["web"], ["branch", "callcenter"]),
          ts,
          amount: round2(rng.logNormal(TIER_MEDIAN_AMOUNT[tier]! / 2, 0.6)),
          product: rng.pick(CATALOG[category]!),
          category,
        };
      }
      case "payment":
        return {
          id,
          customerId,
          type,
          channel: this.#pickChannel(index, ["web", "app"], ["branch"]),
          ts,
          amount: round2(rng.logNormal(30 + 20 * tier, 0.3)),
        };
      case "service_call":
        return {
          id,
          customerId,
          type,
          channel: "callcenter",
          ts,
          cost: round2(rng.logNormal(6, 0.5)),
          reason: rng.pick(SERVICE_REASONS),
          durationSec: Math.round(rng.logNormal(300, 0.6)),
        };
      case "complaint":
        if (this.#openComplaints[index]! < 250) this.#openComplaints[index]!++;
        return {
          id,
          customerId,
          type,
          channel: rng.pick(["callcenter", "email", "branch", "web"] as const),
          ts,
          cost: round2(rng.logNormal(15, 0.5)),
          reason: rng.pick(SERVICE_REASONS),
        };
      case "complaint_resolved":
        this.#openComplaints[index]!--;
        return { id, customerId, type, channel: rng.pick(["callcenter", "email"] as const), ts, cost: round2(rng.logNormal(10, 0.5)) };
      case "web_visit":
        return {
          id,
          customerId,
          type,
          channel: rng.chance(0.6) ? "web" : "app",
          ts,
          page: rng.pick(PAGES),
          durationSec: Math.round(rng.logNormal(120, 0.9)),
        };
      case "page_view":
        return { id, customerId, type, channel: rng.chance(0.6) ? "web" : "app", ts, page: rng.pick(PAGES) };
      case "login":
        return { id, customerId, type, channel: rng.chance(0.5) ? "web" : "app", ts };
      case "survey":
        return { id, customerId, type, channel: rng.pick(["email", "sms", "app"] as const), ts, ...this.#surveyAnswer(index) };
      case "offer_response":
        return {
          id,
          customerId,
          type,
          channel: this.#pickChannel(index, ["web", "app", "email"], ["callcenter", "branch"]),
          ts,
          offerId: rng.pick(OFFER_IDS),
          response: OFFER_RESPONSES[rng.weighted(RESPONSE_CUMULATIVE)]!,
        };
      case "profile":
        return {
          id,
          customerId,
          type,
          channel: rng.pick(["branch", "callcenter", "web"] as const),
          ts,
          plan: PLANS[Math.min(2, tier + (rng.chance(0.2) ? 1 : 0))]!,
          region: rng.pick(REGIONS),
          birthYear: 1950 + rng.int(55),
          preferredChannel: this.#digital[index]! > 0.5 ? "app" : "callcenter",
          consents: { email: rng.chance(0.7), sms: rng.chance(0.4), app: rng.chance(0.6) },
          attrs: { segmentHint: tier >= 2 ? "high-value" : "mass", householdSize: 1 + rng.int(5) },
        };
      case "cancel":
        return { id, customerId, type, channel: rng.pick(["callcenter", "branch"] as const), ts, reason: rng.pick(CANCEL_REASONS) };
      default:
        return { id, customerId, type: "login", channel: "web", ts };
    }
  }

  #surveyAnswer(index: number): { survey: "nps" | "csat" | "ces"; score: number } {
    const rng = this.#rng;
    const mood = Math.max(0, Math.min(1, this.#satisfaction[index]! - 0.25 * this.#openComplaints[index]! + 0.15 * (rng.next() - 0.5)));
    const kind = rng.next();
    if (kind < 0.5) return { survey: "nps", score: Math.round(mood * 10) };
    if (kind < 0.8) return { survey: "csat", score: 1 + Math.round(mood * 4) };
    return { survey: "ces", score: 1 + Math.round((1 - mood) * 6) };
  }

  #pickChannel(index: number, digital: readonly Channel[], assisted: readonly Channel[]): Channel {
    return this.#rng.next() < this.#digital[index]! ? this.#rng.pick(digital) : this.#rng.pick(assisted);
  }
}

function cumulative(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((weight) => (total += weight));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
