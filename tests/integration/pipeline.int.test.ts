import { encode } from "@msgpack/msgpack";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { EVENT_OUTCOMES, type CustomerProfile, type EventInput } from "../../engine/index.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain, extensionPaths } from "../helpers/plainMsgpack.js";
import { differences, modelledPart, ReferenceModel } from "../helpers/ReferenceModel.js";
import { startEngine } from "../helpers/startEngine.js";
import { waitFor } from "../helpers/waitFor.js";

const EVENTS = 100_000;
const CUSTOMERS = 2_000;
const DAY_MS = 86_400_000;
/** Event times step 30 s from 36 days ago: the stream spans more than the 30-day window, all in the past. */
const STEP_MS = 30_000;
const FLUSH_EVERY = 4_000;

interface ReceivedDecision {
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly data: Uint8Array;
}

describe("the pipeline from JetStream to state and decisions", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let runtime: EngineRuntime | undefined;
  let config: CxConfig;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    config = loadConfig();
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
  });

  it("100,000 events through JetStream give the same per-customer state and triggered decisions as a reference computed directly from the events", async () => {
    // The reference models exactly these triggers; a change in the default configuration must show here.
    expect(config.decisions.triggers.map((t) => [t.id, t.on?.join(",") ?? `enters ${t.enters}`, t.action, t.channel])).toEqual([
      ["complaint-callback", "complaint", "service-recovery-callback", "callcenter"],
      ["high-value-web-thanks", "purchase", "thank-you-note", "event"],
      ["detractor-follow-up", "survey", "nps-follow-up", "callcenter"],
      ["repeated-service-calls", "service_call", "proactive-care-call", "callcenter"],
      ["cancellation-save", "cancel", "win-back-discount", "callcenter"],
      ["welcome", "signup", "digital-onboarding", "email"],
    ]);

    const streamName = config.nats.stream.name;
    await ensureStream(nc, config.nats.stream, [Subjects.eventsAll]);
    const received: ReceivedDecision[] = [];
    nc.subscribe("cx.decisions.>", {
      callback: (_error, msg: Msg) => {
        received.push({ subject: msg.subject, msgId: msg.headers?.get("Nats-Msg-Id"), data: msg.data });
      },
    });
    await nc.flush();

    // Publish: synthetic, strictly increasing event times, 5% of the events as JSON.
    const simulator = new TrafficSimulator({ seed: 20261102, customers: CUSTOMERS, runId: "pipe", jsonRatio: 0.05 });
    // Aligned to a UTC day, so every run puts the same events in the same daily buckets.
    const start = Math.floor(Date.now() / DAY_MS) * DAY_MS - 36 * DAY_MS + 12_345;
    const events: EventInput[] = [];
    const payloads: Uint8Array[] = [];
    const subjects: string[] = [];
    let jsonCount = 0;
    for (let i = 0; i < EVENTS; i++) {
      const message = simulator.nextMessage(start + i * STEP_MS);
      expect(message.event).toBeDefined();
      events.push(message.event!);
      payloads.push(message.data);
      subjects.push(message.subject);
      if (message.data[0] === 0x7b) jsonCount++;
      nc.publish(message.subject, message.data);
      if (i % FLUSH_EVERY === FLUSH_EVERY - 1) await nc.flush();
    }
    await nc.flush();
    expect(jsonCount).toBeGreaterThan(EVENTS * 0.03);
    expect(jsonCount).toBeLessThan(EVENTS * 0.07);

    // The stream holds every event, in publication order.
    const jsm = await jetstreamManager(nc);
    let info = await jsm.streams.info(streamName);
    for (let attempt = 0; info.state.messages < EVENTS && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      info = await jsm.streams.info(streamName);
    }
    expect(info.state.messages).toBe(EVENTS);
    expect(info.state.first_seq).toBe(1);
    expect(info.state.last_seq).toBe(EVENTS);
    for (const seq of [1, 2, 777, EVENTS / 2, EVENTS - 1, EVENTS]) {
      const stored = await jsm.streams.getMessage(streamName, { seq });
      expect(stored?.subject).toBe(subjects[seq - 1]);
      expect(Buffer.from(stored!.data).equals(Buffer.from(payloads[seq - 1]!))).toBe(true);
    }

    // The reference, from the event list alone; events[i] is stream sequence i + 1.
    const reference = new ReferenceModel({
      allowedLatenessMs: config.engine.allowedLatenessMs,
      recentInteractions: config.engine.recentInteractions,
      contactHistory: config.engine.contactHistory,
      maxProducts: config.engine.maxProductsPerCustomer,
      lifecycle: config.engine.lifecycle,
      valueTiers: config.engine.valueTiers,
    });
    events.forEach((event, index) => reference.apply(event, index + 1));

    // The engine catches up with the backlog.
    const catchUpStarted = performance.now();
    runtime = await startEngine(nats.url, config);
    const engine = runtime.engine;
    await waitFor(() => engine.stats.lastSeq >= info.state.last_seq, `the engine to reach stream sequence ${info.state.last_seq}`, 45_000);
    const catchUpMs = performance.now() - catchUpStarted;
    expect(engine.stats.lastSeq).toBe(EVENTS);
    expect(engine.stats.totalEvents(EVENT_OUTCOMES.indexOf("applied"))).toBe(EVENTS);
    expect(engine.stats.totalEvents(EVENT_OUTCOMES.indexOf("late"))).toBe(0);
    expect(engine.stats.redeliveries).toBe(0);
    expect(engine.stats.totalRejected()).toBe(0);
    expect(engine.watermark).toBe(reference.watermark);
    expect(reference.late).toBe(0);
    expect(engine.customersInMemory).toBe(reference.customers.size);
    console.info(`pipeline: ${EVENTS} events caught up in ${Math.round(catchUpMs)} ms (${Math.round(EVENTS / (catchUpMs / 1000))}/s)`);

    // Every customer's 360 view equals the reference at the engine's watermark.
    const asOf = engine.watermark;
    const byActivity = [...reference.customers.values()].sort((a, b) => b.events.length - a.events.length);
    expect(byActivity[0]!.events.length).toBeGreaterThan(150);
    const mismatches: string[] = [];
    for (const customer of byActivity) {
      const actual = engine.profile(customer.customerId);
      expect(actual?.asOf).toBe(asOf);
      mismatches.push(...differences(modelledPart(actual), reference.profile(customer.customerId, asOf, engine.valuation()), customer.customerId).slice(0, 5));
    }
    expect(mismatches.slice(0, 40)).toEqual([]);
    // The sample covers every lifecycle status but "churned by inactivity" (the stream spans 36 days).
    const statuses = new Set(byActivity.map((c) => (reference.profile(c.customerId, asOf, engine.valuation()) as { lifecycle: { status: string } }).lifecycle.status));
    expect([...statuses].sort()).toEqual(["active", "at-risk", "churned", "new"]);
    // The windows are not trivially equal to lifetime totals: the stream spans 36 days.
    const busiest = reference.profile(byActivity[0]!.customerId, asOf, engine.valuation()) as { behaviour: { purchases: number; last7d: { purchases: number }; last30d: { purchases: number } } };
    expect(busiest.behaviour.last7d.purchases).toBeLessThan(busiest.behaviour.last30d.purchases);
    expect(busiest.behaviour.last30d.purchases).toBeLessThan(busiest.behaviour.purchases);

    // The same views over request/reply, for the 20 busiest and 40 others across the range.
    const sample = [...byActivity.slice(0, 20), ...Array.from({ length: 40 }, (_, i) => byActivity[20 + i * Math.floor((byActivity.length - 21) / 40)]!)];
    expect(new Set(sample.map((c) => c.customerId)).size).toBe(60);
    for (const customer of sample) {
      const replyMsg = await nc.request("cx.query.profile", encode({ customerId: customer.customerId }), { timeout: 5_000 });
      const answer = decodePlain(replyMsg.data) as { customerId: string; profile: CustomerProfile };
      expect(answer.customerId).toBe(customer.customerId);
      expect(differences(modelledPart(answer.profile), reference.profile(customer.customerId, asOf, engine.valuation()), `query ${customer.customerId}`)).toEqual([]);
    }

    // Exactly the decisions the triggers should make, each once, published as plain MessagePack.
    const expected = reference.decisions;
    expect(engine.stats.totalDecisions("trigger")).toBe(expected.length);
    await waitFor(() => received.length >= expected.length, `${expected.length} decisions on cx.decisions.>`, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // room for any unexpected extra decision to arrive
    expect(received.length).toBe(expected.length);
    const triggerCounts = new Map<string, number>();
    for (const decision of expected) triggerCounts.set(decision.triggerId, (triggerCounts.get(decision.triggerId) ?? 0) + 1);
    for (const triggerId of ["complaint-callback", "high-value-web-thanks", "detractor-follow-up", "repeated-service-calls", "cancellation-save", "welcome"]) {
      expect(triggerCounts.get(triggerId) ?? 0, `reference decisions for ${triggerId}`).toBeGreaterThan(0);
    }
    console.info(`pipeline: ${expected.length} triggered decisions: ${JSON.stringify(Object.fromEntries(triggerCounts))}`);

    const actions = new Map(config.decisions.actions.map((action) => [action.id, action]));
    const expectedById = new Map(expected.map((decision) => [decision.decisionId, decision]));
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const message of received) {
      const decision = decodePlain(message.data, { bigints: true }) as Record<string, unknown> & {
        actions: Record<string, unknown>[];
        timings: Record<string, unknown>;
      };
      const id = decision.decisionId as string;
      const want = expectedById.get(id);
      if (want === undefined) {
        problems.push(`unexpected decision ${id}`);
        continue;
      }
      if (seen.has(id)) problems.push(`decision ${id} published twice`);
      seen.add(id);
      const action = actions.get(want.actionId)!;
      // The propensity is the response model's (tests/unit/models); here: a probability, and the score built from it.
      const propensity = decision.actions[0]?.propensity as number;
      const found = [
        ...(propensity > 0 && propensity <= 1 ? [] : [`${id} propensity ${propensity} is not a probability`]),
        ...extensionPaths(decision),
        ...differences(message.subject, `cx.decisions.${want.channel}.${want.customerId}`, `${id} subject`),
        ...differences(message.msgId, id, `${id} Nats-Msg-Id`),
        ...differences(
          { ...decision, ts: typeof decision.ts, timings: Object.keys(decision.timings).sort() },
          {
            decisionId: id,
            customerId: want.customerId,
            channel: want.channel,
            source: "trigger",
            triggerId: want.triggerId,
            eventId: want.eventId,
            ts: "bigint",
            actions: [
              {
                actionId: want.actionId,
                title: action.title ?? action.id,
                kind: action.kind,
                ...(action.issue === undefined ? {} : { issue: action.issue }),
                ...(action.group === undefined ? {} : { group: action.group }),
                channel: want.channel,
                propensity,
                score: propensity * (action.value as number) * (action.weight ?? 1),
                reasons: [
                  { code: "trigger", detail: want.triggerId },
                  { code: "eligible", detail: action.eligibility ?? "always" },
                  { code: "value", detail: String(action.value) },
                  { code: "weight", detail: String(action.weight ?? 1) },
                  { code: "propensity", detail: propensity.toPrecision(4) },
                ],
              },
            ],
            probability: 1,
            knownCustomer: true,
            configVersion: config.version,
            timings: ["decidedAt", "eventAgeMs"],
          },
          id,
        ),
      ];
      if (decision.ts !== BigInt(want.ts)) found.push(`${id} ts: ${String(decision.ts)} vs ${want.ts}`);
      if (typeof decision.timings.decidedAt !== "bigint") found.push(`${id} timings.decidedAt is a ${typeof decision.timings.decidedAt}, not a 64-bit integer`);
      problems.push(...found);
    }
    expect(problems.slice(0, 40)).toEqual([]);
    expect(seen.size).toBe(expected.length);
  }, 90_000);
});

