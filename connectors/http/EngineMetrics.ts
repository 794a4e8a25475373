import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import {
  CHANNELS,
  COMPLAINT_HISTORIES,
  CUSTOMER_STATUSES,
  DECISION_SOURCES,
  EVENT_OUTCOMES,
  EVENT_TYPES,
  INPUT_ERROR_CODES,
  NPS_CLASSES,
  SUPPRESSION_REASONS,
  SURVEY_KINDS,
  VALUE_TIERS,
  type BusinessReport,
  type Engine,
  type GroupReport,
  type ModelReport,
  type CampaignReport,
} from "../../engine/index.js";

/** Sub-millisecond buckets: a healthy batch or decide takes tens to hundreds of microseconds. */
const LATENCY_BUCKETS_SECONDS = [
  0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];
/** How long one scrape's business and model reports serve the gauges that follow: far below any scrape interval. */
const REPORTS_REUSE_MS = 250;
/** `build`'s result, built again once older than REPORTS_REUSE_MS: the gauges of one scrape share one set of reports. */
function perScrape<T>(build: () => T): () => T {
  let builtAt = Number.NEGATIVE_INFINITY;
  let value: T | undefined;
  return () => {
    if (value === undefined || performance.now() - builtAt > REPORTS_REUSE_MS) {
      value = build();
      builtAt = performance.now();
    }
    return value;
  };
}

/**
 * A gauge with one sample per row of a report read at scrape time, labelled by `labels`;
 * a row whose value is null or not finite (a ratio with nothing to divide by) has none.
 */
function rowsGauge<R, L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  rows: () => Iterable<R>,
  labels: (row: R) => Record<L, string>,
  read: (row: R) => number | null,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const row of rows()) {
        const value = read(row);
        if (value !== null && Number.isFinite(value)) this.set(labels(row), value);
      }
    },
  });
}

const BATCH_SIZE_BUCKETS = [1, 10, 50, 100, 500, 1_000, 5_000, 10_000];

/**
 * The Prometheus view of a running engine. Engine counters live in the engine's typed
 * arrays and are read here only when Prometheus scrapes (`collect`), so the hot path
 * pays an array increment per event and nothing for label lookups. Label values come
 * from closed sets (types, channels, codes, catalog ids); never a customer id.
 */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly batchDuration: Histogram;
  readonly batchSize: Histogram;
  readonly decideDuration: Histogram<"result">;
  readonly consumerLag: Gauge;
  readonly lastAppliedSeq: Gauge;
  readonly handlerErrors: Counter;
  readonly checkpointDuration: Histogram;
  readonly checkpointPause: Histogram;
  readonly checkpointBytes: Counter;
  readonly checkpointCustomers: Counter;
  readonly checkpointFailures: Counter;
  readonly checkpointSeq: Gauge;

  constructor(engine: Engine) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.batchDuration = new Histogram({
      name: "cx_batch_duration_seconds",
      help: "Time to process one batch of events from the stream",
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.batchSize = new Histogram({
      name: "cx_batch_messages",
      help: "Messages per processed batch",
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.decideDuration = new Histogram({
      name: "cx_decide_duration_seconds",
      help: "Time to answer a cx.decide request, in the engine process",
      labelNames: ["result"],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.consumerLag = new Gauge({
      name: "cx_consumer_lag_messages",
      help: "Messages in the event stream not yet delivered to the engine",
      registers,
    });
    this.lastAppliedSeq = new Gauge({
      name: "cx_consumer_last_sequence",
      help: "Stream sequence of the last message the engine handled",
      registers,
    });
    this.handlerErrors = new Counter({
      name: "cx_engine_errors_total",
      help: "Messages whose handling threw (a bug, not bad input); the message was skipped",
      registers,
    });

    this.checkpointDuration = new Histogram({
      name: "cx_checkpoint_duration_seconds",
      help: "Time from cut to commit of a checkpoint",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.checkpointPause = new Histogram({
      name: "cx_checkpoint_pause_seconds",
      help: "Longest time a checkpoint held the event loop (cut or one capture slice)",
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.checkpointBytes = new Counter({
      name: "cx_checkpoint_bytes_total",
      help: "Bytes of customer state written by checkpoints",
      registers,
    });
    this.checkpointCustomers = new Counter({
      name: "cx_checkpoint_customers_total",
      help: "Customer states written by checkpoints",
      registers,
    });
    this.checkpointFailures = new Counter({
      name: "cx_checkpoint_failures_total",
      help: "Checkpoints that failed to commit (their changes go into the next one)",
      registers,
    });
    this.checkpointSeq = new Gauge({
      name: "cx_checkpoint_last_sequence",
      help: "Event-stream sequence of the last committed checkpoint",
      registers,
    });

    const stats = engine.stats;
    new Counter({
      name: "cx_events_total",
      help: "Valid events by type, channel and outcome (applied; late: applied, but too late for the windows)",
      labelNames: ["type", "channel", "outcome"],
      registers,
      collect() {
        this.reset();
        EVENT_TYPES.forEach((type, t) =>
          CHANNELS.forEach((channel, c) =>
            EVENT_OUTCOMES.forEach((outcome, o) => {
              const count = stats.eventCount(t, c, o);
              if (count > 0) this.inc({ type, channel, outcome }, count);
            }),
          ),
        );
      },
    });
    new Counter({
      name: "cx_events_rejected_total",
      help: "Rejected inbound messages by error code (each also published on cx.dlq.<code>)",
      labelNames: ["code"],
      registers,
      collect() {
        this.reset();
        for (const code of INPUT_ERROR_CODES) this.inc({ code }, stats.rejectedCount(code));
      },
    });
    new Counter({
      name: "cx_decisions_total",
      help: "Actions decided, by channel, action and source (trigger or request)",
      labelNames: ["channel", "action", "source"],
      registers,
      collect() {
        this.reset();
        for (const [action, counts] of stats.decisions) {
          CHANNELS.forEach((channel, c) =>
            DECISION_SOURCES.forEach((source, s) => {
              const count = counts[c * DECISION_SOURCES.length + s]!;
              if (count > 0) this.inc({ channel, action, source }, count);
            }),
          );
        }
      },
    });
    new Counter({
      name: "cx_trigger_suppressed_total",
      help: "Triggers that matched but made no decision, by trigger and reason",
      labelNames: ["trigger", "reason"],
      registers,
      collect() {
        this.reset();
        for (const [trigger, counts] of stats.suppressed) {
          SUPPRESSION_REASONS.forEach((reason, r) => {
            if (counts[r]! > 0) this.inc({ trigger, reason }, counts[r]!);
          });
        }
      },
    });
    this.counter(
      "cx_events_redelivered_total",
      "Messages the transport delivered again (e.g. after a reconnect), dropped unread",
      () => stats.redeliveries,
    );
    this.gauge(
      "cx_customers_in_memory",
      "Customers whose state is held in memory, live or packed",
      () => engine.customersInMemory,
    );
    this.gauge(
      "cx_customers_packed",
      "Idle customers held in memory packed in their checkpoint encoding (unpacked at their next event)",
      () => engine.customersPacked,
    );
    this.gauge(
      "cx_customers_packed_bytes",
      "Bytes of the packed customers' encodings",
      () => engine.packedBytes,
    );
    this.counter(
      "cx_customers_unpacked_total",
      "Packed customers brought back to a live state by an event, a timer or a decision",
      () => engine.customersUnpacked,
    );
    this.gauge(
      "cx_customers_spilled",
      "Customers whose state is only in the checkpoint store (loaded back on their next event)",
      () => engine.customersSpilled,
    );
    this.gauge(
      "cx_held_messages",
      "Messages held, in order, while a spilled customer's state is loaded",
      () => engine.heldMessages,
    );
    this.counter(
      "cx_customers_evicted_total",
      "Customers that left the live states because engine.hotCustomers were live (packed, or spilled when no room is left)",
      () => engine.evictions,
    );
    this.gauge(
      "cx_handled_sequence",
      "Event-stream sequence up to which every message has been handled (held messages excluded)",
      () => stats.lastSeq,
    );
    this.gauge(
      "cx_event_time_watermark_seconds",
      "Largest event time applied so far (Unix seconds)",
      () => engine.watermark / 1000,
    );
    this.#businessMetrics(engine);
    new Gauge({
      name: "cx_segment_customers",
      help: "Members of each configured segment now",
      labelNames: ["segment"],
      registers,
      collect() {
        for (const { segment, size } of engine.segmentSizes()) this.set({ segment }, size);
      },
    });
    new Counter({
      name: "cx_segment_changes_total",
      help: "Customers entering and leaving each segment (by events, time passing or new definitions)",
      labelNames: ["segment", "change"],
      registers,
      collect() {
        this.reset();
        for (const { segment, entered, exited } of engine.segmentSizes()) {
          this.inc({ segment, change: "enter" }, entered);
          this.inc({ segment, change: "exit" }, exited);
        }
      },
    });
    this.#modelMetrics(engine);
    this.#campaignMetrics(engine);
    new Gauge({
      name: "cx_config_info",
      help: "Configuration version in force (value is always 1)",
      labelNames: ["version"],
      registers,
      collect() {
        this.reset();
        this.set({ version: engine.configVersion }, 1);
      },
    });
  }

  /**
   * Each online model's live quality (label `model`: churn, response or purchase; label
   * `target`: the action or category, bounded by the catalog and models.maxCategories).
   * One report per model per scrape, shared by the gauges.
   */
  #modelMetrics(engine: Engine): void {
    const registers = [this.registry];
    const reports = perScrape(() => engine.modelReports());
    const perModel = (name: string, help: string, read: (report: ModelReport) => number) =>
      rowsGauge(this.registry, name, help, ["model", "target"], reports, (r) => ({ model: r.model, target: r.target }), read);
    perModel("cx_model_auc", "Rolling AUC of the model's predictions against the labels that came (models.qualityWindow pairs)", (r) => r.quality.auc);
    perModel("cx_model_log_loss", "Rolling log loss of the model's predictions", (r) => r.quality.logLoss);
    perModel("cx_model_calibration_error", "Expected calibration error over deciles of predicted probability", (r) => r.quality.ece);
    perModel("cx_model_labels", "Labels the model has learned from, lifetime", (r) => r.quality.total);
    perModel("cx_model_positive_labels", "Positive labels the model has learned from, lifetime", (r) => r.quality.totalPositives);
    new Gauge({
      name: "cx_model_calibration",
      help: "Per decile of predicted probability: the mean prediction (kind=predicted) and the rate observed (kind=observed)",
      labelNames: ["model", "target", "decile", "kind"],
      registers,
      collect() {
        this.reset();
        for (const { model, target, quality } of reports()) {
          quality.calibration.forEach((bin, decile) => {
            if (bin.count === 0) return;
            this.set({ model, target, decile: String(decile + 1), kind: "predicted" }, bin.meanPredicted);
            this.set({ model, target, decile: String(decile + 1), kind: "observed" }, bin.observedRate);
          });
        }
      },
    });
    this.gauge("cx_model_label_watches", "Decisions and purchase windows awaiting their label", () => engine.labelWatches.open);
    this.counter("cx_model_label_watches_skipped_total", "Decisions and purchase windows not watched: models.maxLabelWatches was reached", () => engine.labelWatches.skipped);
  }

  /**
   * Each campaign's arms (label `arm`: control or a variant id from configuration) and
   * each variant's conversion lift over its control with its p-value.
   */
  #campaignMetrics(engine: Engine): void {
    const reports = perScrape(() => engine.campaignReports());
    type Arm = CampaignReport["lift"]["arms"][number];
    type Variant = CampaignReport["lift"]["variants"][number];
    const arms = () => reports().flatMap((report) => report.lift.arms.map((arm) => [report.campaign, arm] as const));
    const variants = () => reports().flatMap((report) => report.lift.variants.map((variant) => [report.campaign, variant] as const));
    const perArm = (name: string, help: string, read: (arm: Arm) => number) =>
      rowsGauge(this.registry, name, help, ["campaign", "arm"], arms, ([campaign, arm]) => ({ campaign, arm: arm.arm }), ([, arm]) => read(arm));
    perArm("cx_campaign_contacts", "Contacts per campaign arm; for the control, decisions that would have been made", (a) => a.contacts);
    perArm("cx_campaign_responses", "Contacts with a click, an accept or a conversion", (a) => a.responses);
    perArm("cx_campaign_conversions", "Contacts followed by a purchase (or a convert response) within the response window", (a) => a.conversions);
    perArm("cx_campaign_revenue", "Revenue of the conversions joined to the arm's contacts", (a) => a.revenue);
    const perVariant = (name: string, help: string, read: (variant: Variant) => number | null) =>
      rowsGauge(this.registry, name, help, ["campaign", "arm"], variants, ([campaign, v]) => ({ campaign, arm: v.arm }), ([, v]) => read(v));
    perVariant("cx_campaign_conversion_lift", "Conversion rate of the variant less the control's", (v) => v.conversionRate.absoluteLift);
    perVariant("cx_campaign_conversion_lift_p_value", "Two-sided p-value of the conversion lift (two-proportion z-test)", (v) => v.conversionRate.pValue);
    perVariant("cx_campaign_incremental_revenue", "Revenue the variant added over what its contacts would have brought as the control did", (v) => v.incrementalRevenue);
  }

  /**
   * The business metrics over each configured window (label `window`, e.g. "30d"), as
   * of the event-time watermark. A ratio with nothing to divide by has no sample.
   */
  #businessMetrics(engine: Engine): void {
    const registers = [this.registry];
    const windows = engine.settings.businessWindowDays;
    // Every business gauge reads the same reports: build them once per scrape, not once per gauge.
    const reports = perScrape(() => windows.map((days) => [`${days}d`, engine.businessReport(days)] as const));
    const perWindow = (name: string, help: string, read: (report: BusinessReport) => number | null) =>
      rowsGauge(this.registry, name, help, ["window"], reports, ([window]) => ({ window }), ([, report]) => read(report));
    const longest = Math.max(...windows);
    const longestReport = () => reports()[windows.indexOf(longest)]![1];
    this.gauge("cx_business_customers", "Customers in the base: seen and not cancelled", () => longestReport().customers.now);
    this.gauge("cx_business_open_complaints", "Complaints open now, over all customers", () => longestReport().complaints.openNow);
    perWindow("cx_business_acquisition_rate", "New customers (first signups) in the window over the base at its start", (r) => r.customers.acquisitionRate);
    perWindow("cx_business_attrition_rate", "Customers lost (cancelled) in the window over the base at its start", (r) => r.customers.attritionRate);
    this.gauge("cx_business_active_purchasers", "Customers who bought within the purchase inactivity period", () => longestReport().purchasing.activeNow);
    perWindow("cx_business_lapsed_customers", "Customers whose purchase inactivity period ran out in the window (non-contractual attrition)", (r) => r.purchasing.lapsed);
    perWindow("cx_business_inactivity_attrition_rate", "Lapsed customers in the window over the active purchasers at its start", (r) => r.purchasing.attritionRate);
    perWindow("cx_business_acquired_customers", "First signups in the window", (r) => r.customers.acquired);
    perWindow("cx_business_lost_customers", "Cancellations of an active relationship in the window", (r) => r.customers.lost);
    perWindow("cx_business_revenue", "Net revenue in the window: purchases and payments less refunds", (r) => r.value.revenue);
    perWindow("cx_business_cost", "Cost to serve in the window", (r) => r.value.cost);
    perWindow("cx_business_profit", "Revenue less cost to serve in the window", (r) => r.value.profit);
    perWindow("cx_business_growth_index", "Cross-sell and up-sell amounts over all repeat purchasing in the window", (r) => r.growth.index);
    perWindow("cx_business_cross_sell_amount", "Repeat purchases in a category new to the customer, in the window", (r) => r.growth.crossSell.amount);
    perWindow("cx_business_up_sell_amount", "Spending above the customer's own mean purchase, in the window", (r) => r.growth.upSellAmount);
    perWindow("cx_business_nps", "Net Promoter Score in the window: % promoters less % detractors", (r) => r.attitude.nps);
    perWindow("cx_business_csat", "Mean CSAT (1-5) in the window", (r) => r.attitude.csat);
    perWindow("cx_business_ces", "Mean customer effort score (1-7) in the window", (r) => r.attitude.ces);
    perWindow("cx_business_complaints_opened", "Complaints opened in the window", (r) => r.complaints.opened);
    perWindow("cx_business_complaint_resolution_hours", "Mean hours from a customer's first open complaint to all resolved", (r) => r.complaints.meanHoursToResolve);
    new Gauge({
      name: "cx_business_survey_responses",
      help: "Survey answers in the window, by survey",
      labelNames: ["window", "survey"],
      registers,
      collect() {
        this.reset();
        for (const [window, { attitude: a }] of reports()) {
          const responses = { nps: a.promoters + a.passives + a.detractors, csat: a.csatResponses, ces: a.cesResponses };
          for (const survey of SURVEY_KINDS) this.set({ window, survey }, responses[survey]);
        }
      },
    });
    new Gauge({
      name: "cx_business_channel_revenue",
      help: "Net revenue in the window, by the channel of the interaction",
      labelNames: ["window", "channel"],
      registers,
      collect() {
        this.reset();
        for (const [window, report] of reports()) for (const channel of CHANNELS) this.set({ window, channel }, report.byChannel[channel].revenue);
      },
    });
    new Gauge({
      name: "cx_business_channel_interactions",
      help: "Interactions in the window, by channel",
      labelNames: ["window", "channel"],
      registers,
      collect() {
        this.reset();
        for (const [window, report] of reports()) for (const channel of CHANNELS) this.set({ window, channel }, report.byChannel[channel].events);
      },
    });
    const breakdowns = [
      { label: "nps_class", groups: NPS_CLASSES, of: (report: BusinessReport) => report.byNpsClass as Record<string, GroupReport> },
      { label: "complaint_history", groups: COMPLAINT_HISTORIES, of: (report: BusinessReport) => report.byComplaintHistory as Record<string, GroupReport> },
      { label: "value_tier", groups: VALUE_TIERS, of: (report: BusinessReport) => report.byValueTier as Record<string, GroupReport> },
      { label: "lifecycle_stage", groups: CUSTOMER_STATUSES, of: (report: BusinessReport) => report.byLifecycleStage as Record<string, GroupReport> },
    ];
    for (const { label, groups, of } of breakdowns) {
      const perGroup = (measure: string, help: string, read: (group: GroupReport) => number | null) =>
        new Gauge({
          name: `cx_business_${measure}_by_${label}`,
          help: `${help}, by ${label.replace("_", " ")}`,
          labelNames: ["window", label],
          registers,
          collect() {
            this.reset();
            for (const [window, report] of reports()) {
              const byGroup = of(report);
              for (const group of groups) {
                const value = read(byGroup[group]!);
                if (value !== null) this.set({ window, [label]: group }, value);
              }
            }
          },
        });
      perGroup("customers", "Customers in the base now", (g) => g.customers.now);
      perGroup("attrition_rate", "Customers lost in the window over the group's base at its start", (g) => g.customers.attritionRate);
      perGroup("revenue", "Net revenue in the window", (g) => g.value.revenue);
      perGroup("profit", "Revenue less cost to serve in the window", (g) => g.value.profit);
      perGroup("profit_per_customer", "Profit in the window over the group's mean size", (g) => g.value.profitPerCustomer);
    }
  }

  /** A gauge read when scraped, for values owned by connectors (publishers, loaders). */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A counter read when scraped, for totals owned by connectors. */
  counter(name: string, help: string, read: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }
}
