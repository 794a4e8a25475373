import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CONFIG_PATH, loadConfig } from "../../config/loadConfig.js";
import { createLogger } from "../../connectors/log/createLogger.js";
import { EVENT_OUTCOMES, type Channel, type Engine } from "../../engine/index.js";
import { DecideRequester } from "../../simulator/DecideRequester.js";
import { TrafficPublisher } from "../../simulator/TrafficPublisher.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import { EngineRuntime } from "../EngineRuntime.js";
import { startPrivateNatsServer } from "../localNatsServer.js";
import { numberOption, stringOption, type OptionValues } from "../options.js";

/** The final line of `demo --json`. */
export interface DemoSummary {
  readonly durationSeconds: number;
  readonly published: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly lateEvents: number;
  readonly decisions: number;
  readonly triggeredDecisions: number;
  readonly decideRequests: number;
  readonly decideErrors: number;
  /** Decide latency as the caller saw it: from sending the request to its reply. */
  readonly decideP50Ms: number;
  readonly decideP99Ms: number;
  readonly decideP999Ms: number;
  /** The same, measured from when each request was scheduled (includes the sender's own delays). */
  readonly decideP99FromScheduleMs: number;
  readonly dlq: number;
  readonly customers: number;
  readonly consumerLag: number;
  readonly configVersion: string;
  /** The headline business metrics over the last 7 days of event time (fewer if no window is that long), as `cx.query.metrics` reports them. */
  readonly business: {
    readonly windowDays: number;
    readonly customers: number;
    readonly acquired: number;
    readonly lost: number;
    readonly revenue: number;
    readonly profit: number;
    readonly nps: number | null;
    readonly csat: number | null;
    readonly openComplaints: number;
    /** Profit of the customers whose last NPS answer made them detractors, and of the promoters. */
    readonly detractorProfit: number;
    readonly promoterProfit: number;
  };
  /** What the engine has learned: segment sizes, and each online model's evidence and rolling AUC. */
  readonly knowledge: {
    readonly segments: Readonly<Record<string, number>>;
    readonly models: readonly { readonly model: string; readonly target: string; readonly labels: number; readonly auc: number | null }[];
  };
}

const DECIDE_CHANNELS: readonly Channel[] = ["web", "app", "callcenter", "branch"];
/** The live view shows the business headline every this many seconds, over this window. */
const BUSINESS_EVERY_S = 5;
const HEADLINE_WINDOW_DAYS = 7;
/** How long to wait, after publishing stops, for the engine to apply what is in the stream. */
const CATCH_UP_MS = 10_000;

/**
 * Everything in one process tree: a private nats-server in a temporary store, the
 * engine, the traffic simulator and a decide-request load, with a summary each second.
 */
export async function runDemo(values: OptionValues): Promise<number> {
  const json = values.json === true;
  const durationS = numberOption(values, "duration", 30, { min: 1, max: 86_400 });
  const rate = numberOption(values, "rate", 2_000, { min: 1, max: 1_000_000 });
  const customers = numberOption(values, "customers", 5_000, { min: 1, max: 10_000_000, integer: true });
  const decideRate = numberOption(values, "decide-rate", 50, { min: 0, max: 100_000 });
  const config = loadConfig(stringOption(values, "config") ?? DEFAULT_CONFIG_PATH, process.env);
  // The demo sends malformed input on purpose; its DLQ count is in the summary, so
  // per-code warnings would only clutter the live view.
  const log = createLogger(process.env.CXPULSE_LOG_LEVEL ?? "error", 2);
  const report = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);

  const storeDir = mkdtempSync(join(tmpdir(), "cxpulse-demo-"));
  const nats = await startPrivateNatsServer(storeDir, log);
  let runtime: EngineRuntime | undefined;
  try {
    runtime = await EngineRuntime.start({ config, servers: nats.servers, log, httpPort: 0 });
    const engine = runtime.engine;
    report(`cxpulse demo: nats ${nats.servers}, metrics http://${config.http.host}:${runtime.httpPort}/metrics, ${durationS} s at ${rate} events/s`);

    const simulator = new TrafficSimulator({ seed: 42, customers, runId: Date.now().toString(36), malformedRatio: 0.001, jsonRatio: 0.05 });
    const publisher = new TrafficPublisher({ nc: runtime.nc, simulator, ratePerSecond: rate });
    const requester = new DecideRequester({ nc: runtime.nc, ratePerSecond: decideRate, customers, channels: DECIDE_CHANNELS });
    const started = performance.now();
    publisher.start();
    if (decideRate > 0) requester.start();

    const eventsHandled = () => EVENT_OUTCOMES.reduce((sum, _, outcome) => sum + engine.stats.totalEvents(outcome), 0);
    let lastEvents = 0;
    const ticker = setInterval(() => {
      const events = eventsHandled();
      const seconds = Math.round((performance.now() - started) / 1000);
      report(
        `[${String(seconds).padStart(4)}s] events ${events} (${events - lastEvents}/s)  decisions ${engine.stats.totalDecisions()}  ` +
          `decide p50 ${ms(requester.responseUs.getValueAtPercentile(50))} p99 ${ms(requester.responseUs.getValueAtPercentile(99))} ms  ` +
          `dlq ${engine.stats.totalRejected()}  customers ${engine.customersInMemory}`,
      );
      lastEvents = events;
      if (seconds % BUSINESS_EVERY_S === 0) {
        report(`        ${businessLine(headline(engine))}`);
        report(`        ${knowledgeLine(knowledge(engine))}`);
      }
    }, 1_000);

    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, durationS * 1000);
      process.once("SIGINT", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    clearInterval(ticker);
    await publisher.stop();
    await requester.stop();
    const elapsedS = (performance.now() - started) / 1000;
    await waitFor(() => engine.stats.lastSeq >= publisher.sent, CATCH_UP_MS);

    const summary: DemoSummary = {
      durationSeconds: round(elapsedS, 2),
      published: publisher.sent,
      events: eventsHandled(),
      eventsPerSecond: Math.round(eventsHandled() / elapsedS),
      lateEvents: engine.stats.totalEvents(EVENT_OUTCOMES.indexOf("late")),
      decisions: engine.stats.totalDecisions(),
      triggeredDecisions: engine.stats.totalDecisions("trigger"),
      decideRequests: requester.answered + requester.errors,
      decideErrors: requester.errors,
      decideP50Ms: round(requester.responseUs.getValueAtPercentile(50) / 1000, 3),
      decideP99Ms: round(requester.responseUs.getValueAtPercentile(99) / 1000, 3),
      decideP999Ms: round(requester.responseUs.getValueAtPercentile(99.9) / 1000, 3),
      decideP99FromScheduleMs: round(requester.latencyUs.getValueAtPercentile(99) / 1000, 3),
      dlq: engine.stats.totalRejected(),
      customers: engine.customersInMemory,
      consumerLag: Math.max(0, publisher.sent - engine.stats.lastSeq),
      configVersion: engine.configVersion,
      business: headline(engine),
      knowledge: knowledge(engine),
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      report(
        `\ndone: ${summary.events} events in ${summary.durationSeconds} s (${summary.eventsPerSecond}/s), ` +
          `${summary.decisions} decisions (${summary.triggeredDecisions} triggered), ` +
          `decide p50 ${summary.decideP50Ms} ms p99 ${summary.decideP99Ms} ms p99.9 ${summary.decideP999Ms} ms, ` +
          `${summary.dlq} sent to the DLQ, ${summary.customers} customers in memory\n${businessLine(summary.business)}\n${knowledgeLine(summary.knowledge)}`,
      );
    }
    return 0;
  } finally {
    await runtime?.stop();
    await nats.started?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

function headline(engine: Engine): DemoSummary["business"] {
  const windowDays = Math.min(HEADLINE_WINDOW_DAYS, Math.max(...engine.settings.businessWindowDays));
  const week = engine.businessReport(windowDays);
  const round2 = (value: number | null) => (value === null ? null : round(value, 2));
  return {
    windowDays,
    customers: week.customers.now,
    acquired: week.customers.acquired,
    lost: week.customers.lost,
    revenue: round(week.value.revenue, 2),
    profit: round(week.value.profit, 2),
    nps: round2(week.attitude.nps),
    csat: round2(week.attitude.csat),
    openComplaints: week.complaints.openNow,
    detractorProfit: round(week.byNpsClass.detractor.value.profit, 2),
    promoterProfit: round(week.byNpsClass.promoter.value.profit, 2),
  };
}

function businessLine(b: DemoSummary["business"]): string {
  const score = (value: number | null) => (value === null ? "n/a" : value.toFixed(1));
  return (
    `business ${b.windowDays}d: base ${b.customers}  acquired ${b.acquired}  lost ${b.lost}  revenue ${b.revenue.toFixed(0)}  ` +
    `profit ${b.profit.toFixed(0)} (detractors ${b.detractorProfit.toFixed(0)}, promoters ${b.promoterProfit.toFixed(0)})  ` +
    `NPS ${score(b.nps)}  CSAT ${score(b.csat)}  open complaints ${b.openComplaints}`
  );
}

function knowledge(engine: Engine): DemoSummary["knowledge"] {
  return {
    segments: Object.fromEntries(engine.segmentSizes().map(({ segment, size }) => [segment, size])),
    models: engine.modelReports().map(({ model, target, quality }) => ({
      model,
      target,
      labels: quality.total,
      auc: Number.isNaN(quality.auc) ? null : round(quality.auc, 3),
    })),
  };
}

function knowledgeLine(k: DemoSummary["knowledge"]): string {
  const segments = Object.entries(k.segments).map(([segment, size]) => `${segment} ${size}`).join(", ");
  const churn = k.models.find((m) => m.model === "churn");
  const learned = k.models.filter((m) => m.labels > 0).length;
  const auc = churn?.auc === null || churn === undefined ? "n/a" : churn.auc.toFixed(3);
  return `segments: ${segments || "none"}  models learning: ${learned} (churn: ${churn?.labels ?? 0} labels, AUC ${auc})`;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

function ms(us: number): string {
  return (us / 1000).toFixed(2);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
