import { Type, type Static, type TLiteral, type TObject, type TProperties, type TUnion } from "@sinclair/typebox";
import { CHANNELS } from "./Channel.js";
import { EVENT_TYPES, type EventType } from "./EventType.js";

/**
 * The inbound event contract, written once. The TypeScript types (`EventInput`), the
 * compiled validators and the published JSON Schema (`docs/event.schema.json`) all
 * come from the definitions below.
 */

/** Customer ids travel in subjects, so they are restricted to a token-safe alphabet. */
export const CUSTOMER_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
/** Event ids become parts of decision ids and `Nats-Msg-Id` headers. */
export const EVENT_ID_PATTERN = "^[A-Za-z0-9_.:-]{1,128}$";
/** 2000-01-01T00:00:00Z; anything earlier is a unit mistake (seconds instead of milliseconds). */
export const MIN_EVENT_TS = 946_684_800_000;
/** Money amounts above a billion in one event are treated as corrupt, not as revenue. */
export const MAX_AMOUNT = 1_000_000_000;

export const SURVEY_KINDS = ["nps", "csat", "ces"] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];
/** Score scales: NPS 0-10, CSAT 1-5, CES 1-7 (all whole numbers). */
export const SURVEY_SCALES: Readonly<Record<SurveyKind, { min: number; max: number }>> = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

export const OFFER_RESPONSES = ["impression", "click", "accept", "decline", "convert"] as const;
export type OfferResponse = (typeof OFFER_RESPONSES)[number];

/** A union of string literals that keeps each literal in the static type. */
const literals = <T extends readonly string[]>(values: T, description: string) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    { description },
  ) as unknown as TUnion<TLiteral<T[number]>[]>;

const Text = (description: string, maxLength = 64) =>
  Type.String({ minLength: 1, maxLength, description });
const Money = (description: string) =>
  Type.Number({ minimum: 0, maximum: MAX_AMOUNT, description });
const Seconds = (description: string) => Type.Number({ minimum: 0, maximum: 86_400, description });

export const Attributes = Type.Record(
  Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]{0,63}$" }),
  Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Boolean()]),
  {
    maxProperties: 32,
    additionalProperties: false,
    description: "Free attributes (at most 32; keys are identifiers; string, number or boolean values)",
  },
);

const Consents = Type.Object(
  Object.fromEntries(CHANNELS.map((channel) => [channel, Type.Optional(Type.Boolean())])),
  { additionalProperties: false, description: "Marketing consent per channel" },
);

const envelope = <T extends EventType>(type: T) => ({
  id: Type.String({ pattern: EVENT_ID_PATTERN, description: "Unique event id, used for de-duplication" }),
  customerId: Type.String({ pattern: CUSTOMER_ID_PATTERN, description: "Customer id (token-safe)" }),
  type: Type.Literal(type),
  channel: literals(CHANNELS, "Channel the interaction happened on"),
  ts: Type.Integer({ minimum: MIN_EVENT_TS, description: "Event time, epoch milliseconds" }),
  cost: Type.Optional(Money("Cost to serve this interaction")),
  attrs: Type.Optional(Attributes),
});

const eventOf = <T extends EventType, P extends TProperties>(type: T, description: string, properties: P) =>
  Type.Object(
    { ...envelope(type), ...properties },
    { $id: `cxpulse.event.${type}`, title: type, description, additionalProperties: false },
  );

export const ProfileEvent = eventOf("profile", "Customer attributes from enterprise systems", {
  plan: Type.Optional(Text("Product plan or tier")),
  region: Type.Optional(Text("Region or market")),
  birthYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
  preferredChannel: Type.Optional(literals(CHANNELS, "Channel the customer prefers")),
  consents: Type.Optional(Consents),
});
export const SignupEvent = eventOf("signup", "The customer opens a relationship", {
  plan: Type.Optional(Text("Product plan or tier")),
});
export const PurchaseEvent = eventOf("purchase", "A sale; cost is the cost of goods and service", {
  amount: Money("Revenue"),
  product: Text("Product id"),
  category: Text("Product category"),
  quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
export const RefundEvent = eventOf("refund", "Money returned to the customer", {
  amount: Money("Refunded amount"),
  product: Type.Optional(Text("Product id")),
  category: Type.Optional(Text("Product category")),
});
export const PaymentEvent = eventOf("payment", "A bill or instalment paid", {
  amount: Money("Amount paid"),
});
export const ServiceCallEvent = eventOf("service_call", "A service contact", {
  reason: Type.Optional(Text("Contact reason", 128)),
  durationSec: Type.Optional(Seconds("Handling time")),
});
export const ComplaintEvent = eventOf("complaint", "A complaint is opened", {
  complaintId: Type.Optional(Text("Complaint id")),
  reason: Type.Optional(Text("Complaint reason", 128)),
});
export const ComplaintResolvedEvent = eventOf("complaint_resolved", "A complaint is closed", {
  complaintId: Type.Optional(Text("Complaint id")),
});
export const WebVisitEvent = eventOf("web_visit", "A session on the web site or app", {
  page: Type.Optional(Text("Landing page", 256)),
  durationSec: Type.Optional(Seconds("Session length")),
});
export const PageViewEvent = eventOf("page_view", "One page seen", {
  page: Text("Page", 256),
});
export const LoginEvent = eventOf("login", "The customer signs in", {});
export const SurveyEvent = eventOf("survey", "Attitude: NPS 0-10, CSAT 1-5 or CES 1-7", {
  survey: literals(SURVEY_KINDS, "Survey kind"),
  score: Type.Integer({ minimum: 0, maximum: 10, description: "Score on the survey's scale" }),
});
export const OfferResponseEvent = eventOf("offer_response", "A response to an action the engine decided", {
  offerId: Text("Action id from the catalog"),
  decisionId: Type.Optional(Text("Decision that made the offer", 256)),
  response: literals(OFFER_RESPONSES, "What the customer did"),
  amount: Type.Optional(Money("Revenue of a conversion")),
});
export const CancelEvent = eventOf("cancel", "The customer ends the relationship", {
  reason: Type.Optional(Text("Cancellation reason", 128)),
});

export const EVENT_SCHEMAS = {
  profile: ProfileEvent,
  signup: SignupEvent,
  purchase: PurchaseEvent,
  refund: RefundEvent,
  payment: PaymentEvent,
  service_call: ServiceCallEvent,
  complaint: ComplaintEvent,
  complaint_resolved: ComplaintResolvedEvent,
  web_visit: WebVisitEvent,
  page_view: PageViewEvent,
  login: LoginEvent,
  survey: SurveyEvent,
  offer_response: OfferResponseEvent,
  cancel: CancelEvent,
} as const satisfies Record<EventType, TObject>;

export type ProfileEventInput = Static<typeof ProfileEvent>;
export type PurchaseEventInput = Static<typeof PurchaseEvent>;
export type SurveyEventInput = Static<typeof SurveyEvent>;
export type OfferResponseEventInput = Static<typeof OfferResponseEvent>;

/** Any valid inbound event, discriminated by `type`. */
export type EventInput = {
  [K in EventType]: Static<(typeof EVENT_SCHEMAS)[K]>;
}[EventType];

export type EventAttributes = Static<typeof Attributes>;

/** The published JSON Schema of an inbound event: one of the per-type schemas, keyed by `type`. */
export function eventJsonSchema(): Record<string, unknown> {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://cxpulse.dev/schema/event.json",
    title: "cxpulse inbound interaction event",
    description:
      "Published on cx.events.<channel>.<customerId> as MessagePack or JSON. " +
      "ts must not be later than the engine's clock plus its allowed future skew; " +
      "survey scores must lie on the survey's scale (NPS 0-10, CSAT 1-5, CES 1-7).",
    oneOf: EVENT_TYPES.map((type) => ({ $ref: `#/definitions/${type}` })),
    definitions: Object.fromEntries(
      EVENT_TYPES.map((type) => {
        const { $id: _id, ...schema } = JSON.parse(JSON.stringify(EVENT_SCHEMAS[type])) as Record<string, unknown>;
        return [type, schema];
      }),
    ),
  };
}

/** What a field's JSON Schema says about its shape, as readers of the contract need it. */
export interface EventFieldSchema {
  readonly type?: string;
  readonly anyOf?: readonly EventFieldSchema[];
  readonly properties?: Readonly<Record<string, EventFieldSchema>>;
  readonly patternProperties?: Readonly<Record<string, EventFieldSchema>>;
}

/**
 * Every top-level field of every event type with its JSON Schema (the first event
 * type's where several have it), from the published schema: for tools that map other
 * data onto the contract, such as the import's configuration and its row mapping.
 */
export function eventFieldSchemas(): ReadonlyMap<string, EventFieldSchema> {
  const fields = new Map<string, EventFieldSchema>();
  const definitions = eventJsonSchema().definitions as Record<string, { properties: Record<string, EventFieldSchema> }>;
  for (const { properties } of Object.values(definitions)) {
    for (const [field, schema] of Object.entries(properties)) if (!fields.has(field)) fields.set(field, schema);
  }
  return fields;
}
