import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "@msgpack/msgpack";
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { JetStreamLog } from "../../cli/simulate/JetStreamLog.js";
import { simulateStrategies, type SimulationResult } from "../../cli/simulate/simulateStrategies.js";
import { loadConfig, parseConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import type { Decision, EventInput } from "../../engine/index.js";
import { Rng } from "../../simulator/Rng.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain } from "../helpers/plainMsgpack.js";
import { runCxpulse } from "../helpers/runCxpulse.js";
import { startEngine } from "../helpers/startEngine.js";
import { STRATEGIES, TRUE_MODEL } from "../helpers/strategyLog.js";
import { writeTestConfig } from "../helpers/testConfig.js";
import { waitFor, waitUntil } from "../helpers/waitFor.js";

const CUSTOMERS = 80;
const ROUNDS = 3;
const BUYERS = 20;
const WEEK = 7 * 86_400_000;

describe("cxpulse simulate-strategies on a JetStream range the engine recorded", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let runtime: EngineRuntime;
  let dir: string;
  let published = 0;
  let lastSeq = 0;
  let requests = 0;

  const send = async (event: EventInput) => {
    lastSeq = (await js.publish(Subjects.event(event.channel, event.customerId), encode(event))).seq;
    published++;
  };

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
    dir = mkdtempSync(join(tmpdir(), "cxpulse-strategies-js-"));
    // The logging engine: both offers for everyone, north-offer ranked first, explored half the time; a purchase triggers north-offer.
    const config = writeTestConfig(dir, {
      "arbitration.exploration": 0.5,
      segments: [],
      campaigns: [],
      actions: [
        { id: "north-offer", kind: "offer", channels: ["web"], value: 10 },
        { id: "south-offer", kind: "offer", channels: ["web"], value: 10 },
      ],
      triggers: [{ id: "buyer", on: ["purchase"], action: "north-offer", channel: "web" }],
    });
    runtime = await startEngine(nats.url, loadConfig(config));

    const rng = new Rng(11);
    const regions = Array.from({ length: CUSTOMERS }, () => (rng.chance(0.5) ? "north" : "south") as "north" | "south");
    let ts = Date.now() - 3_600_000;
    for (let c = 0; c < CUSTOMERS; c++) await send({ id: `p${c}`, type: "profile", customerId: `J${c}`, channel: "web", ts: (ts += 100), region: regions[c] } as EventInput);
    for (let round = 0; round < ROUNDS; round++) {
      for (let c = 0; c < CUSTOMERS; c++) {
        const customerId = `J${c}`;
        await send({ id: `v${round}-${c}`, type: "page_view", customerId, channel: "web", ts: (ts += 1_000), page: "/" } as EventInput);
        await waitFor(() => runtime.engine.stats.lastSeq >= lastSeq, `the engine to apply ${lastSeq}`, 10_000);
        const reply = await nc.request(Subjects.decide("web"), encode({ customerId, requestId: `q${round}` }), { timeout: 3_000 });
        const decision = decodePlain(reply.data) as Decision;
        requests++;
        const offer = decision.actions[0]!.actionId;
        const accepted = rng.chance(TRUE_MODEL[offer]![regions[c]!]);
        await send({
          id: `a${round}-${c}`,
          type: "offer_response",
          customerId,
          channel: "web",
          ts: ts + 500,
          offerId: offer,
          decisionId: decision.decisionId,
          response: accepted ? "accept" : "decline",
        } as EventInput);
      }
    }
    for (let c = 0; c < BUYERS; c++) {
      await send({ id: `b${c}`, type: "purchase", customerId: `J${c}`, channel: "web", ts: (ts += 1_000), amount: 50, product: "p", category: "c" } as EventInput);
    }
    await waitFor(() => runtime.engine.stats.lastSeq >= lastSeq, `the engine to apply ${lastSeq}`, 10_000);
    // Every request's log record and every trigger's decision stored.
    const jsm = await jetstreamManager(nc);
    await waitUntil(async () => (await jsm.streams.info("CX_DECISIONS")).state.messages >= requests + BUYERS, "the decisions and the request-decision log to be stored");
  }, 120_000);

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the events, the triggers' decisions and the request-decision log, and ranks the strategies by the estimates", async () => {
    const log = await JetStreamLog.read(nc, { eventStream: "CX_EVENTS", fromSeq: 1, toSeq: Number.MAX_SAFE_INTEGER }, "CX_DECISIONS", 65_536);
    expect(log.size).toBe(published + requests + BUYERS);
    const names = Object.keys(STRATEGIES) as (keyof typeof STRATEGIES)[];
    const result = await simulateStrategies(log, names.map((name) => ({ name, config: parseConfig(STRATEGIES[name], `${name}.yaml`) })), WEEK);
    expect(result.events).toBe(published);
    expect(result.moments).toBe(requests + BUYERS);
    expect(result.skipped.count).toBe(0);
    expect(result.explored).toBe(true);
    expect(log.given).toBe(log.size);
    const of = (name: string) => result.strategies.find((s) => s.strategy === name)!;
    // The strategies have no triggers: at the trigger's moments they chose nothing.
    for (const name of names) expect(of(name).decisions).toBe(requests);
    expect(of("good").drResponses.total).toBeGreaterThan(of("bad").drResponses.total);
    expect(of("good").ipsResponses.total).toBeGreaterThan(of("bad").ipsResponses.total);
    // The logged responses joined to their decisions: every accept in the stream.
    expect(result.logged.responses).toBeGreaterThan(0);

    // A range: the first CUSTOMERS messages are the profiles; nothing was decided on them.
    const profiles = await JetStreamLog.read(nc, { eventStream: "CX_EVENTS", fromSeq: 1, toSeq: CUSTOMERS }, "CX_DECISIONS", 65_536);
    expect(profiles.size).toBe(CUSTOMERS);
  });

  it("takes the range on the command line", async () => {
    const file = join(dir, "good.yaml");
    writeFileSync(file, STRATEGIES.good);
    const run = await runCxpulse(["simulate-strategies", "--events", "jetstream:CX_EVENTS", "--strategy", file, "--nats-url", nats.url, "--json"], { timeoutMs: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as SimulationResult;
    expect(result.source).toBe("CX_EVENTS[1-] with CX_DECISIONS");
    expect(result.moments).toBe(requests + BUYERS);

    const bad = await runCxpulse(["simulate-strategies", "--events", "jetstream:CX_EVENTS:9-3", "--strategy", file, "--nats-url", nats.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("the range must run from sequence 1 or later up to a sequence not below it");
  });
});
