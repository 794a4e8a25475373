import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "@msgpack/msgpack";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { loadConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import type { BusinessReport, DetractorDriversInsight, EventInput, ProfitabilityInsight } from "../../engine/index.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain } from "../helpers/plainMsgpack.js";
import { parsePrometheusText, sampleValue } from "../helpers/prometheusText.js";
import { startEngine } from "../helpers/startEngine.js";
import { writeTestConfig } from "../helpers/testConfig.js";
import { waitFor } from "../helpers/waitFor.js";

interface MetricsReply {
  watermark: number;
  windows: Record<string, BusinessReport>;
}

const HOUR = 3_600_000;
const textEncoder = new TextEncoder();

describe("business metrics over NATS and Prometheus", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let runtime: EngineRuntime;
  let dir: string;
  const now = Date.now();
  let nextId = 0;

  const event = (customerId: string, hoursAgo: number, fields: Record<string, unknown>) =>
    ({ id: `bm-${++nextId}`, customerId, channel: "web", ts: now - hoursAgo * HOUR, ...fields }) as EventInput;

  const ask = async (body: Uint8Array) => {
    const msg = await nc.request(Subjects.queryMetrics, body, { timeout: 3_000 });
    const decoded = msg.data[0] === 0x7b ? JSON.parse(new TextDecoder().decode(msg.data)) : decodePlain(msg.data);
    return { body: decoded, errorCode: msg.headers?.get("Nats-Service-Error-Code") || undefined };
  };

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
    dir = mkdtempSync(join(tmpdir(), "cxpulse-business-"));
    runtime = await startEngine(nats.url, loadConfig(writeTestConfig(dir, { "metrics.publishInterval": "200ms" })));
    const events = [
      event("BM1", 30, { type: "signup", plan: "basic" }),
      event("BM2", 29, { type: "signup", plan: "basic" }),
      event("BM1", 20, { type: "purchase", amount: 300, product: "phone-x2", category: "phones", cost: 180 }),
      event("BM2", 10, { type: "survey", survey: "nps", score: 3 }),
      event("BM1", 9, { type: "survey", survey: "nps", score: 10 }),
      event("BM1", 8, { type: "survey", survey: "nps", score: 9 }),
      event("BM2", 5, { type: "complaint", reason: "billing" }),
      event("BM2", 1, { type: "cancel", reason: "price" }),
    ];
    let seq = 0;
    for (const e of events) seq = (await js.publish(Subjects.event(e.channel, e.customerId), encode(e))).seq;
    await waitFor(() => runtime.engine.stats.lastSeq >= seq, "the engine to apply the events", 10_000);
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("cx.query.metrics with an empty body answers every configured window with what the events say", async () => {
    const { body, errorCode } = await ask(new Uint8Array());
    expect(errorCode).toBeUndefined();
    const reply = body as MetricsReply;
    expect(Object.keys(reply.windows)).toEqual(["7d", "30d", "90d", "365d"]);
    expect(reply.watermark).toBe(now - HOUR);
    const week = reply.windows["7d"]!;
    expect(week.customers).toEqual({ atStart: 0, now: 1, acquired: 2, lost: 1, reactivated: 0, acquisitionRate: null, attritionRate: null });
    expect(week.value).toEqual({ revenue: 300, cost: 180, profit: 120, purchases: 1 });
    // BM1's purchase was its first: no repeat purchasing, so no growth index.
    expect(week.growth).toEqual({ repeatPurchaseAmount: 0, crossSell: { purchases: 0, amount: 0 }, upSellAmount: 0, index: null });
    expect(week.attitude).toMatchObject({ promoters: 2, passives: 0, detractors: 1, nps: (100 * (2 - 1)) / 3 });
    expect(week.complaints).toMatchObject({ opened: 1, openNow: 1 });
    expect(week.byChannel.web).toEqual({ events: 8, revenue: 300 });
  });

  it("answers one asked window, in JSON for a JSON request, equal to the engine's own report", async () => {
    const { body, errorCode } = await ask(textEncoder.encode(JSON.stringify({ window: "45d" })));
    expect(errorCode).toBeUndefined();
    expect(Object.keys((body as MetricsReply).windows)).toEqual(["45d"]);
    expect((body as MetricsReply).windows["45d"]).toEqual(JSON.parse(JSON.stringify(runtime.engine.businessReport(45))));
  });

  it("breaks the window down by NPS class, the class each customer was in at each event, and only as asked", async () => {
    const { body, errorCode } = await ask(encode({ window: "7d", breakdown: "npsClass" }));
    expect(errorCode).toBeUndefined();
    const week = (body as MetricsReply).windows["7d"]!;
    expect(Object.keys(week).filter((key) => key.startsWith("by"))).toEqual(["byNpsClass"]);
    // BM1 bought before answering (unknown then), and is a promoter now; BM2 answered 3 and cancelled.
    expect(week.byNpsClass.unknown.value).toMatchObject({ revenue: 300, cost: 180, profit: 120, purchases: 1 });
    expect(week.byNpsClass.promoter.customers).toMatchObject({ atStart: 0, now: 1, lost: 0 });
    expect(week.byNpsClass.detractor.customers).toMatchObject({ atStart: 0, now: 0, lost: 1 });
    expect(week.byNpsClass.detractor.value.profitPerCustomer).toBeNull();
  });

  it("breaks the window down by complaint history and calendar month when asked for both", async () => {
    const { body } = await ask(encode({ window: "7d", breakdown: ["complaintHistory", "month"] }));
    const week = (body as MetricsReply).windows["7d"]!;
    expect(Object.keys(week).filter((key) => key.startsWith("by"))).toEqual(["byComplaintHistory", "byMonth"]);
    expect(week.byComplaintHistory.open.customers).toMatchObject({ now: 0, lost: 1 });
    expect(week.byComplaintHistory.none.customers.now).toBe(1);
    expect(week.byMonth.map((month) => month.customers.acquired).reduce((a, b) => a + b, 0)).toBe(2);
    expect(week.byMonth.at(-1)!.month).toBe(new Date(now).toISOString().slice(0, 7));
  });

  it.each([
    { what: "an unknown breakdown", body: { breakdown: ["npsClass", "segment"] }, message: /unknown breakdown "segment".*breakdowns channel, npsClass, complaintHistory, valueTier, lifecycleStage, month/ },
    { what: "a breakdown that is not a name", body: { breakdown: 7 }, message: /a metrics query is/ },
    { what: "a window longer than the longest kept", body: { window: "400d" }, message: /window 400d is longer than the longest kept.*1d to 365d/ },
    { what: "a window that is not whole days", body: { window: "12h" }, message: /a metrics query is \{\} or \{"window": "<days>d", "breakdown": \[...\]\}/ },
    { what: "an unknown field", body: { window: "7d", by: "segment" }, message: /a metrics query is/ },
  ])("$what gets an invalid_value error reply, not a timeout", async ({ body, message }) => {
    const reply = await ask(encode(body));
    expect(reply.errorCode).toBe("400");
    expect(reply.body.error.code).toBe("invalid_value");
    expect(reply.body.error.message).toMatch(message);
  });

  it("cx.query.insights answers profit deciles, lifetime value and detractor drivers over the customers in memory", async () => {
    const msg = await nc.request(Subjects.queryInsights, new Uint8Array(), { timeout: 3_000 });
    const reply = decodePlain(msg.data) as {
      customersInMemory: number;
      computedMs: number;
      profitability: ProfitabilityInsight;
      detractorDrivers: DetractorDriversInsight;
    };
    expect(reply.customersInMemory).toBe(2);
    expect(reply.computedMs).toBeGreaterThanOrEqual(0);
    // BM1: 300 revenue, 180 cost; BM2: nothing bought, cancelled (so worth 0 from now on).
    expect(reply.profitability).toMatchObject({ customers: 2, revenue: 300, cost: 180, profit: 120, top10Share: 1, unprofitableCustomers: 0 });
    expect(reply.profitability.lifetimeValue.total).toBeCloseTo(runtime.engine.profile("BM1")!.behaviour.lifetimeValue, 9);
    expect(reply.profitability.lifetimeValue.total).toBeGreaterThan(120);
    expect(reply.detractorDrivers).toMatchObject({ answered: 2, detractors: 1 });
    expect(reply.detractorDrivers.method).toMatch(/point-biserial/);
  });

  it("cx.query.insights asked for one insight answers only that one, and names an unknown one in its error", async () => {
    const one = decodePlain((await nc.request(Subjects.queryInsights, encode({ insight: "detractorDrivers" }), { timeout: 3_000 })).data) as Record<string, unknown>;
    expect(one.detractorDrivers).toBeDefined();
    expect(one.profitability).toBeUndefined();
    const { body, errorCode } = await (async () => {
      const msg = await nc.request(Subjects.queryInsights, encode({ insight: "churnDrivers" }), { timeout: 3_000 });
      return { body: decodePlain(msg.data) as { error: { code: string; message: string } }, errorCode: msg.headers?.get("Nats-Service-Error-Code") };
    })();
    expect(errorCode).toBe("400");
    expect(body.error.code).toBe("invalid_value");
    expect(body.error.message).toMatch(/unknown insight "churnDrivers".*profitability, detractorDrivers/);
  });

  it("publishes the same reply as a snapshot on cx.metrics.business", async () => {
    const subscription = nc.subscribe(Subjects.metricsBusiness, { max: 1 });
    for await (const msg of subscription) {
      const snapshot = decodePlain(msg.data) as MetricsReply;
      expect(Object.keys(snapshot.windows)).toEqual(["7d", "30d", "90d", "365d"]);
      expect(snapshot.windows["30d"]!.value.revenue).toBe(300);
    }
  });

  it("exposes the headline metrics per window in /metrics, with no customer id in any label", async () => {
    const text = await (await fetch(`http://127.0.0.1:${runtime.httpPort}/metrics`)).text();
    const exposition = parsePrometheusText(text);
    expect(exposition.errors).toEqual([]);
    expect(sampleValue(exposition, "cx_business_customers")).toBe(1);
    expect(sampleValue(exposition, "cx_business_open_complaints")).toBe(1);
    expect(sampleValue(exposition, "cx_business_profit", { window: "30d" })).toBe(120);
    expect(sampleValue(exposition, "cx_business_nps", { window: "7d" })).toBeCloseTo(100 / 3, 9);
    expect(sampleValue(exposition, "cx_business_survey_responses", { window: "7d", survey: "nps" })).toBe(3);
    expect(sampleValue(exposition, "cx_business_channel_revenue", { window: "365d", channel: "web" })).toBe(300);
    // No base at the start of the window, so no rate: no sample rather than a NaN.
    expect(sampleValue(exposition, "cx_business_attrition_rate", { window: "7d" })).toBeUndefined();
    expect(sampleValue(exposition, "cx_business_active_purchasers")).toBe(1);
    expect(sampleValue(exposition, "cx_business_lapsed_customers", { window: "7d" })).toBe(0);
    expect(sampleValue(exposition, "cx_business_customers_by_nps_class", { window: "7d", nps_class: "promoter" })).toBe(1);
    expect(sampleValue(exposition, "cx_business_profit_by_nps_class", { window: "30d", nps_class: "unknown" })).toBe(120);
    expect(sampleValue(exposition, "cx_business_customers_by_complaint_history", { window: "7d", complaint_history: "open" })).toBe(0);
    // BM1's 300 of revenue is below the medium tier's 500.
    expect(sampleValue(exposition, "cx_business_revenue_by_value_tier", { window: "30d", value_tier: "low" })).toBe(300);
    // BM1 signed up 30 hours ago: new; BM2 cancelled, out of the base.
    expect(sampleValue(exposition, "cx_business_customers_by_lifecycle_stage", { window: "7d", lifecycle_stage: "new" })).toBe(1);
    expect(sampleValue(exposition, "cx_business_customers_by_lifecycle_stage", { window: "7d", lifecycle_stage: "churned" })).toBe(0);
    expect(sampleValue(exposition, "cx_business_attrition_rate_by_complaint_history", { window: "7d", complaint_history: "open" })).toBeUndefined();
    expect(text).not.toMatch(/BM1|BM2/);
  });
});
