import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "@msgpack/msgpack";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { loadConfig, parseConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import type { BgNbdParameters, EventInput } from "../../engine/index.js";
import { simulateBuyers } from "../helpers/bgNbdSimulation.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { parsePrometheusText, sampleValue } from "../helpers/prometheusText.js";
import { runCxpulse } from "../helpers/runCxpulse.js";
import { startEngine } from "../helpers/startEngine.js";
import { writeTestConfig } from "../helpers/testConfig.js";

const WEEK = 7 * 86_400_000;
const TRUTH: BgNbdParameters = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const BUYERS = 2_000;

describe("cxpulse fit-bgnbd", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let runtime: EngineRuntime | undefined;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    dir = mkdtempSync(join(tmpdir(), "cxpulse-bgnbd-"));
    configFile = writeTestConfig(dir, { "nats.url": nats.url, "http.port": 0, "checkpoint.interval": "300ms" });
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("before the engine has checkpointed, exits 2 saying there is no checkpoint", async () => {
    const result = await runCxpulse(["fit-bgnbd", "--config", configFile]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/no committed checkpoint .*run the engine until it has checkpointed \[no_checkpoint\]/);
  });

  it("fits the parameters behind the purchases the engine saw, and prints a configuration section the engine accepts", async () => {
    runtime = await startEngine(nats.url, loadConfig(configFile));
    const end = Date.now() - 60_000;
    let nextId = 0;
    const event = (fields: Record<string, unknown>) => ({ id: `bg-${++nextId}`, channel: "web", ...fields }) as EventInput;
    const events: EventInput[] = [];
    simulateBuyers(TRUTH, BUYERS, 5).forEach(({ purchases, T }, i) => {
      for (const t of purchases) {
        events.push(event({ customerId: `B${i}`, type: "purchase", ts: Math.round(end - (T - t) * WEEK), amount: 20, product: "p", category: "c" }));
      }
    });
    // The watermark, "now" for every customer's age, is the end of the observation.
    events.push(event({ customerId: "CLOCK", type: "web_visit", ts: end, page: "/" }));
    const js = jetstream(nc);
    const acks = await Promise.all(events.map((e) => js.publish(Subjects.event("web", e.customerId), encode(e))));
    const lastSeq = Math.max(...acks.map((ack) => ack.seq));
    const checkpointed = async () => {
      const text = await (await fetch(`http://127.0.0.1:${runtime!.httpPort}/metrics`)).text();
      return sampleValue(parsePrometheusText(text), "cx_checkpoint_last_sequence") ?? 0;
    };
    await expect.poll(checkpointed, { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(lastSeq);

    const result = await runCxpulse(["fit-bgnbd", "--config", configFile], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`fitted to ${BUYERS} purchasers of ${BUYERS + 1} customers`);
    const section = (parse(result.stdout) as { metrics: { probabilityAlive: BgNbdParameters & { threshold: number } } }).metrics.probabilityAlive;
    // What the data pin down best: the mean buying rate r/α and the mean dropout a/(a+b).
    expect(section.r / section.alpha / (TRUTH.r / TRUTH.alpha)).toBeGreaterThan(0.75);
    expect(section.r / section.alpha / (TRUTH.r / TRUTH.alpha)).toBeLessThan(1.25);
    expect(section.a / (section.a + section.b) / (TRUTH.a / (TRUTH.a + TRUTH.b))).toBeGreaterThan(0.6);
    expect(section.a / (section.a + section.b) / (TRUTH.a / (TRUTH.a + TRUTH.b))).toBeLessThan(1.4);
    expect(parseConfig(result.stdout, "fitted.yaml").engine.aliveModel).toEqual({
      parameters: { r: section.r, alpha: section.alpha, a: section.a, b: section.b },
      threshold: 0.5,
    });
  }, 90_000);
});
