import { Type, type Static, type TLiteral, type TSchema, type TUnion } from "@sinclair/typebox";
import { ACTION_KINDS, CHANNELS, EVENT_TYPES, eventFieldSchemas, MAX_SEGMENTS } from "../engine/index.js";

/**
 * The configuration file's schema: one source for the TypeScript types, the
 * validation at start and reload, and the defaults of every setting. Unknown keys
 * are errors, so a misspelt setting never silently does nothing.
 */

const literals = <T extends readonly string[]>(values: T) =>
  Type.Union(values.map((value) => Type.Literal(value))) as unknown as TUnion<TLiteral<T[number]>[]>;

export const DURATION_PATTERN = "^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$";

/** A duration: milliseconds as a number, or a string such as "500ms", "30s", "5m", "1h", "7d". */
const Duration = (defaultValue: string, description: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: DURATION_PATTERN })], {
    default: defaultValue,
    description,
  });

const Id = Type.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,63}$", description: "lower-case id: a-z 0-9 _ -" });

const strict = { additionalProperties: false } as const;

const EngineSection = Type.Object(
  {
    maxCustomers: Type.Integer({ minimum: 1, default: 1_000_000, description: "Customers kept in memory" }),
    hotCustomers: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: "Of the customers in memory (at most maxCustomers), those kept live; the others, idle longest, are held packed (about a third of the memory) and unpacked at their next event",
    }),
    maxPayloadBytes: Type.Integer({ minimum: 256, maximum: 8_388_608, default: 65_536, description: "Largest inbound payload (bytes)" }),
    allowedLateness: Duration("1h", "How late an event may be and still count in its window"),
    maxFutureSkew: Duration("5m", "How far ahead of the clock an event's ts may be"),
    triggerMaxAge: Duration("0s", "An event older than this when the stream stored it fires no trigger (0: every event may); set it for imported history"),
    recentInteractions: Type.Integer({ minimum: 1, maximum: 256, default: 20 }),
    contactHistory: Type.Integer({ minimum: 1, maximum: 256, default: 20 }),
    maxProductsPerCustomer: Type.Integer({ minimum: 1, maximum: 1024, default: 32 }),
    decideLimit: Type.Integer({ minimum: 1, maximum: 50, default: 3, description: "Actions per decide reply by default" }),
    lifecycle: Type.Object(
      {
        newFor: Duration("30d", "A customer is new for this long after signup"),
        atRiskAfter: Duration("60d", "Inactive this long: at risk"),
        churnedAfter: Duration("180d", "Inactive this long: churned"),
      },
      { ...strict, default: {} },
    ),
  },
  { ...strict, default: {} },
);

const Stream = (name: string, maxAge: string, duplicateWindow: string, purpose: string) =>
  Type.Object(
    {
      name: Type.String({ pattern: "^[A-Za-z0-9_-]+$", default: name }),
      maxAge: Duration(maxAge, "How long the stream keeps messages (0: forever)"),
      duplicateWindow: Duration(duplicateWindow, "JetStream de-duplication window for Nats-Msg-Id"),
      replicas: Type.Integer({ minimum: 1, maximum: 5, default: 1 }),
    },
    { ...strict, default: {}, description: purpose },
  );

/** TLS of the NATS connections; relative file paths resolve against the configuration file's directory. */
const NatsTls = Type.Object(
  {
    caFile: Type.Optional(
      Type.String({ minLength: 1, description: "CA certificate(s), PEM, that sign the server's certificate (default: the system's). Env: NATS_TLS_CA" }),
    ),
    certFile: Type.Optional(Type.String({ minLength: 1, description: "Client certificate, PEM, for mutual TLS. Env: NATS_TLS_CERT" })),
    keyFile: Type.Optional(Type.String({ minLength: 1, description: "Private key of certFile, PEM. Env: NATS_TLS_KEY" })),
  },
  { ...strict, description: "Present (even empty: `tls: {}`): the connection must be TLS, verified against caFile" },
);

const NatsSection = Type.Object(
  {
    url: Type.String({ default: "", description: 'Server URL(s), comma-separated; "" uses a local server. Env: NATS_URL' }),
    name: Type.String({ default: "cxpulse", description: "Connection name shown by the server" }),
    user: Type.Optional(Type.String({ description: "Env: NATS_USER" })),
    password: Type.Optional(Type.String({ description: "Env: NATS_PASSWORD" })),
    token: Type.Optional(Type.String({ description: "Env: NATS_TOKEN" })),
    credsFile: Type.Optional(Type.String({ minLength: 1, description: "Path of a .creds file (JWT + NKey seed). Env: NATS_CREDS" })),
    nkeySeedFile: Type.Optional(
      Type.String({ minLength: 1, description: "Path of a file holding an NKey user seed (SU...). Env: NATS_NKEY_SEED" }),
    ),
    tls: Type.Optional(NatsTls),
    dataDir: Type.String({ default: ".cxpulse", description: "Where a self-started nats-server keeps its JetStream store" }),
    stream: Stream("CX_EVENTS", "7d", "2m", "Inbound interactions, cx.events.>"),
    decisionStream: Stream(
      "CX_DECISIONS",
      "7d",
      "10m",
      "Decisions and the decision log; the duplicate window must outlast a crash and recovery",
    ),
    dlqStream: Stream("CX_DLQ", "7d", "10m", "Dead letters, cx.dlq.>"),
    consumer: Type.Object(
      {
        maxMessages: Type.Integer({
          minimum: 1,
          maximum: 100_000,
          default: 1_000,
          description: "Messages the pull consumer keeps requested; bounds what is buffered in the engine",
        }),
      },
      { ...strict, default: {} },
    ),
  },
  { ...strict, default: {} },
);

const CheckpointSection = Type.Object(
  {
    interval: Duration("5s", "Time between checkpoints; also the most a crash makes the engine re-read"),
    stateBucket: Type.String({ pattern: "^[A-Za-z0-9_-]+$", default: "CX_STATE", description: "KV bucket of customer states" }),
    metaBucket: Type.String({ pattern: "^[A-Za-z0-9_-]+$", default: "CX_CHECKPOINT", description: "KV bucket of the commit marker" }),
    logStream: Type.String({
      pattern: "^[A-Za-z0-9_-]+$",
      default: "CX_CHECKPOINT_LOG",
      description: "Stream of checkpoints committed but not yet applied to the state bucket",
    }),
  },
  { ...strict, default: {} },
);

const MetricsSection = Type.Object(
  {
    windows: Type.Array(Type.String({ pattern: "^[1-9][0-9]*d$", description: "whole days, e.g. 30d" }), {
      minItems: 1,
      uniqueItems: true,
      default: ["7d", "30d", "90d", "365d"],
      description: "Business-metric windows, each exposed in /metrics; cx.query.metrics may ask any whole number of days up to the longest",
    }),
    publishInterval: Duration("10s", "Time between business-metric snapshots on cx.metrics.business (0: none)"),
    purchaseInactivity: Duration("90d", "Time without a purchase after which a customer counts as lapsed (non-contractual attrition); whole days"),
    valueTiers: Type.Object(
      {
        medium: Type.Number({ minimum: 0, default: 500, description: "Lifetime net revenue from which a customer is in the medium tier" }),
        high: Type.Number({ minimum: 0, default: 2000, description: "... and in the high tier" }),
      },
      { ...strict, default: {}, description: "Value tiers (low, medium, high) of the business-metric breakdown" },
    ),
    probabilityAlive: Type.Optional(
      Type.Object(
        {
          r: Type.Number({ exclusiveMinimum: 0 }),
          alpha: Type.Number({ exclusiveMinimum: 0 }),
          a: Type.Number({ exclusiveMinimum: 0 }),
          b: Type.Number({ exclusiveMinimum: 0 }),
          threshold: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.5, description: "Below this probability a customer counts as lost" }),
        },
        { ...strict, description: "BG/NBD parameters (time in weeks), e.g. from `cxpulse fit-bgnbd`; absent: no probability-alive" },
      ),
    ),
    annualDiscountRate: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.1,
      description: "Yearly rate at which future profit is discounted in customer lifetime value (0.1: 10 %)",
    }),
  },
  { ...strict, default: {} },
);

const Share = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

const Prior = (fallback: number, what: string) =>
  Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: fallback, description: `Rate an untrained ${what} model predicts (cold start)` });

const ModelsSection = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: "Learn the churn, response and purchase-propensity models online (engine/models); off by default for its cost per event" }),
    hashBits: Type.Integer({ minimum: 8, maximum: 20, default: 14, description: "Hashed feature slots per model are 2^hashBits (40 bytes each: 640 KiB a model at 14)" }),
    responseWindow: Duration("7d", "A decision with no accept or convert within this is a negative for its action's response model"),
    purchaseWindow: Duration("30d", "A purchase-propensity label: a purchase in the category within this"),
    purchaseCategories: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: 31,
      uniqueItems: true,
      default: [],
      description: "Product categories that get a purchase-propensity model (the event's `category`); none by default",
    }),
    maxLabelWatches: Type.Integer({
      minimum: 0,
      default: 100_000,
      description: "Decisions and purchase windows awaiting their label at once, over all customers (each keeps its features, about 700 bytes)",
    }),
    churnSampleRate: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.125,
      description: "Share of interactions that open a churn observation (a hash of customer and time): the churn model's cost per event; the sample does not depend on the label, so calibration holds",
    }),
    qualityWindow: Type.Integer({ minimum: 10, maximum: 100_000, default: 1_000, description: "Labelled predictions each model's rolling AUC, log loss and calibration read" }),
    priors: Type.Object(
      { churn: Prior(0.1, "churn"), response: Prior(0.05, "response"), purchase: Prior(0.1, "purchase") },
      { ...strict, default: {} },
    ),
  },
  { ...strict, default: {}, description: "Online predictive models; the churn horizon is engine.lifecycle.churnedAfter" },
);

const SegmentProfilesSection = Type.Object(
  {
    refresh: Duration("60s", "Time between refreshes of the segment profiles and lookalike scores; 0: only when a query finds none (else at least 1s)"),
    batch: Type.Integer({
      minimum: 100,
      maximum: 1_000_000,
      default: 2_000,
      description: "Customers a refresh scans per turn of the event loop (about 10 µs each: bench/micro/segmentProfiles.measure.ts)",
    }),
  },
  { ...strict, default: {} },
);

const EconomicsSection = Type.Object(
  {
    margin: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 1,
      description: "Share of a purchase's amount that is gross margin: a purchase with no cost of its own costs amount × (1 − margin) in goods",
    }),
    marginByCategory: Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Share("Gross margin of the category's purchases"), {
      default: {},
      description: "Margins by product category, over `margin`",
    }),
    handlingCost: Type.Object(
      Object.fromEntries(EVENT_TYPES.map((type) => [type, Type.Optional(Type.Number({ minimum: 0, maximum: 1e9 }))])),
      { ...strict, default: {}, description: "Cost to serve, by event type, of an event with no cost of its own (e.g. service_call: 6)" },
    ),
  },
  { ...strict, default: {}, description: "Costs of events that carry no `cost` of their own" },
);

const HttpSection = Type.Object(
  {
    host: Type.String({ default: "127.0.0.1" }),
    port: Type.Integer({ minimum: 0, maximum: 65_535, default: 9464, description: "0 picks a free port. Env: CXPULSE_HTTP_PORT" }),
  },
  { ...strict, default: {} },
);

const LogSection = Type.Object(
  {
    level: Type.Union(
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((level) => Type.Literal(level)),
      { default: "info", description: "Env: CXPULSE_LOG_LEVEL" },
    ),
  },
  { ...strict, default: {} },
);

const TreatmentSection = Type.Object(
  {
    id: Id,
    channels: Type.Optional(Type.Array(literals(CHANNELS), { minItems: 1, uniqueItems: true, description: "Channels it is for; absent: all of the action's" })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    content: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.Union([Type.String({ maxLength: 2000 }), Type.Number(), Type.Boolean()]), {
        description: "What the channel shows or says (template id, subject, image, script...), passed on in the decision as is",
      }),
    ),
  },
  strict,
);

const ActionSection = Type.Object(
  {
    id: Id,
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    kind: literals(ACTION_KINDS),
    issue: Type.Optional({ ...Id, description: 'The business issue the action serves (e.g. "retention", "sales", "service"); a decide request may ask for one' }),
    group: Type.Optional({ ...Id, description: 'The product or program group within its issue (e.g. "mobile", "broadband")' }),
    responseWindow: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: DURATION_PATTERN })], {
        description: "How long after a decision a response to it counts, e.g. 3d (default: models.responseWindow)",
      }),
    ),
    channels: Type.Array(literals(CHANNELS), { minItems: 1, uniqueItems: true }),
    value: Type.Union([Type.Number({ minimum: 0 }), Type.String({ minLength: 1 })], {
      description: "Expected value when the customer takes the action: a number, or a rule expression over the customer and channel (e.g. `revenue30d * 0.1`)",
    }),
    weight: Type.Optional(Type.Number({ minimum: 0, description: "Business priority lever (default 1)" })),
    treatments: Type.Optional(
      Type.Array(TreatmentSection, {
        minItems: 1,
        description: "How the action is presented on each channel; the first treatment listed for a channel is its default",
      }),
    ),
    eligibility: Type.Optional(Type.String({ minLength: 1, description: "Rule over the customer and channel" })),
    applicability: Type.Optional(Type.String({ minLength: 1, description: "Rule: the action fits the customer's situation now" })),
    suitability: Type.Optional(Type.String({ minLength: 1, description: "Rule: the action is right for this customer" })),
  },
  strict,
);

const FrequencyCapSection = Type.Object(
  {
    channel: Type.Union([literals(CHANNELS), Type.Literal("all")], { description: '"all": every channel together' }),
    max: Type.Integer({ minimum: 0, description: "Offers and messages at most, within the window" }),
    window: Duration("7d", "Rolling window of the cap, in event time"),
  },
  strict,
);

const ISO_DATE_TIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$";

const CampaignSection = Type.Object(
  {
    id: Id,
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    audience: Type.Optional(Type.String({ minLength: 1, description: "Rule over the customer and channel: who the campaign is for" })),
    actions: Type.Array(Id, { minItems: 1, uniqueItems: true, description: "Catalog actions the campaign promotes (each in one campaign at most)" }),
    start: Type.Optional(Type.String({ pattern: ISO_DATE_TIME, description: "Event time it starts (ISO 8601, e.g. 2026-12-01 or 2026-12-01T09:00Z); absent: already running" })),
    end: Type.Optional(Type.String({ pattern: ISO_DATE_TIME, description: "Event time it ends; absent: open-ended" })),
    maxContacts: Type.Optional(Type.Integer({ minimum: 1, description: "Contacts at most, over all arms" })),
    responseWindow: Duration("7d", "Outcomes (responses, purchases) join to a contact within this"),
    controlShare: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0, description: "Share of the audience held out: no action, outcomes tracked" }),
    variants: Type.Array(
      Type.Object(
        {
          id: Type.String({ minLength: 1, maxLength: 64 }),
          weight: Type.Number({ exclusiveMinimum: 0, default: 1 }),
          treatment: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The treatment this variant shows, where its action has one by that id for the channel" })),
        },
        strict,
      ),
      { minItems: 1, default: [{ id: "treatment", weight: 1 }], description: "A/B variants by weight; one by default" },
    ),
  },
  strict,
);

const ChannelSelectionSection = Type.Object(
  {
    preferredBoost: Type.Number({ minimum: 1, default: 1.5, description: "Multiplies a channel's expected value when the customer prefers it" }),
    capacity: Type.Array(
      Type.Object({ channel: literals(CHANNELS), perHour: Type.Integer({ minimum: 0, description: "Triggered decisions per event-time hour" }) }, strict),
      { default: [], description: "Hourly capacity of a channel (e.g. call-center outbound slots), counted exactly" },
    ),
  },
  { ...strict, default: {}, description: 'How triggers with channel "best" pick a channel, and channel capacities' },
);

const ArbitrationSection = Type.Object(
  {
    exploration: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description:
        "Share of decide requests whose first action is drawn at random from the candidates (epsilon-greedy), so logged decisions support off-policy evaluation of other strategies (0: always the best)",
    }),
  },
  { ...strict, default: {} },
);

const ContactPolicySection = Type.Object(
  {
    caps: Type.Array(FrequencyCapSection, { default: [], description: "Frequency caps on offers and messages; service actions are never capped" }),
    declineCoolDown: Duration("0s", "After the customer declines an offer, no offer for this long (0: off)"),
    offersWhileComplaintOpen: Type.Boolean({ default: true, description: "false: no sales offers while a complaint is open" }),
    outstandingFor: Duration("0s", "An offer made on one channel and not answered blocks the same offer on other channels this long (0: off)"),
    acceptedRestFor: Duration("0s", "An accepted offer is not made again, on any channel, for this long (0: off)"),
    withdrawWithin: Duration("0s", "When an offer is accepted, its unanswered decisions on other channels from within this get a withdrawal (0: none)"),
  },
  { ...strict, default: {}, description: "One conversation across channels: caps, cool-down, complaint suppression, one channel at a time" },
);

const SegmentSection = Type.Object(
  {
    id: Id,
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    when: Type.String({
      minLength: 1,
      description: 'Rule over the customer (no event or channel), e.g. `purchases > 0 and daysSinceLastPurchase > 60`; may use inSegment("id") of segments defined above it',
    }),
  },
  strict,
);

const TriggerSection = Type.Object(
  {
    id: Id,
    on: Type.Optional(Type.Array(literals(EVENT_TYPES), { minItems: 1, uniqueItems: true, description: "Event types that fire it (or `enters`)" })),
    enters: Type.Optional(
      Type.String({
        pattern: Id.pattern,
        description: "A segment: the trigger fires as a customer enters it, by an event or by time passing (or `on`); e.g. a segment `churnRisk > 0.7` for a score crossing a threshold",
      }),
    ),
    when: Type.Optional(Type.String({ minLength: 1, description: "Rule over the customer and, for `on`, event.*" })),
    action: Id,
    channel: Type.Union([literals(CHANNELS), Type.Literal("event"), Type.Literal("best")], {
      description: '"event" answers on the channel the event came in on; "best" on the action\'s channel with the best expected value for the customer',
    }),
  },
  strict,
);

/**
 * Event field → `value`, for the fields of the event contract (every event type's,
 * from its JSON Schema), so that a misspelt field is an unknown key. Nested fields are
 * maps of their own keys: `attrs: {<name>: ...}`, `consents: {<channel>: ...}`.
 */
function eventFieldMap(value: TSchema, description: string) {
  const fields: Record<string, TSchema> = {};
  for (const [field, schema] of eventFieldSchemas()) {
    const keyPattern = Object.keys(schema.patternProperties ?? {})[0];
    fields[field] = Type.Optional(
      keyPattern !== undefined
        ? Type.Record(Type.String({ pattern: keyPattern }), value, strict)
        : schema.properties !== undefined
          ? Type.Object(Object.fromEntries(Object.keys(schema.properties).map((key) => [key, Type.Optional(value)])), strict)
          : value,
    );
  }
  return Type.Object(fields, { ...strict, default: {}, description });
}

const ImportSection = Type.Object(
  {
    delimiter: Type.String({ minLength: 1, maxLength: 8, default: ",", description: 'CSV field delimiter, e.g. ";" or "\\t"' }),
    columns: eventFieldMap(
      Type.String({ minLength: 1, description: "Source column: a CSV header name or a top-level NDJSON key" }),
      "Event field → the column it is read from; a field not named here is read from the column of the same name",
    ),
    constants: eventFieldMap(
      Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
      "Event field → the value every imported row gets (e.g. type: purchase)",
    ),
  },
  { ...strict, default: {}, description: "How `cxpulse import` turns the rows of a CSV or NDJSON file into events" },
);

export const ConfigSchema = Type.Object(
  {
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Names the configuration in every decision" })),
    engine: EngineSection,
    nats: NatsSection,
    checkpoint: CheckpointSection,
    metrics: MetricsSection,
    segmentProfiles: SegmentProfilesSection,
    economics: EconomicsSection,
    models: ModelsSection,
    http: HttpSection,
    log: LogSection,
    segments: Type.Array(SegmentSection, {
      default: [],
      maxItems: MAX_SEGMENTS,
      description: "Named groups of customers, kept current as events arrive and as time passes; enter/exit on cx.segments.<segment>.<customerId>",
    }),
    arbitration: ArbitrationSection,
    contactPolicy: ContactPolicySection,
    channelSelection: ChannelSelectionSection,
    campaigns: Type.Array(CampaignSection, { default: [] }),
    actions: Type.Array(ActionSection, { default: [] }),
    triggers: Type.Array(TriggerSection, { default: [] }),
    import: ImportSection,
  },
  strict,
);

export type ConfigFile = Static<typeof ConfigSchema>;
