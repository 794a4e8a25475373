import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import { customerDifferences, readCommittedState, readEventStream, readStoredDecisionIds, referenceRun } from "../helpers/durableState.js";
import { EngineProcess } from "../helpers/EngineProcess.js";
import { HealthPoller } from "../helpers/HealthPoller.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { TcpProxy } from "../helpers/TcpProxy.js";
import { writeTestConfig } from "../helpers/testConfig.js";
import { sleep, waitFor } from "../helpers/waitFor.js";

const BEFORE = 10_000;
const DURING = 10_000;
const AFTER = 5_000;
const OUTAGE_MS = 2_000;
const DAY_MS = 86_400_000;

describe("the network between the engine and NATS is lost for a while", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let proxy: TcpProxy;
  let dir: string;
  let configFile: string;
  let config: CxConfig;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    proxy = await TcpProxy.start("127.0.0.1", nats.server.port);
    dir = mkdtempSync(join(tmpdir(), "cxpulse-network-loss-"));
    // The engine reaches NATS through the proxy; the producer (this test) directly.
    configFile = writeTestConfig(dir, { "nats.url": proxy.url, "http.port": 0, "log.level": "info", "checkpoint.interval": "300ms" });
    config = loadConfig(configFile);
    await ensureStream(nc, config.nats.stream, [Subjects.eventsAll]);
  });

  afterAll(async () => {
    await proxy?.close();
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("readiness turns 503 while disconnected, the engine reconnects with backoff, resumes after the last sequence it handled, and ends equal to an uninterrupted run", async () => {
    const simulator = new TrafficSimulator({ seed: 5, customers: 2_000, runId: "netloss", malformedRatio: 0.01 });
    const start = Date.now() - 10 * DAY_MS;
    let sent = 0;
    const publish = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const message = simulator.nextMessage(start + sent++ * 50);
        nc.publish(message.subject, message.data);
        if (i % 1_000 === 999) await nc.flush();
      }
      await nc.flush();
    };

    const engine = await EngineProcess.start(configFile);
    const health = new HealthPoller(engine.httpPort, 5);
    try {
      await publish(BEFORE);
      await engine.waitForSequence(BEFORE, 20_000);
      const connectionsBefore = proxy.accepted;
      expect(connectionsBefore).toBe(3);

      proxy.cut();
      const cutAt = Date.now();
      await publish(DURING); // the stream keeps taking events meanwhile
      await waitFor(() => health.samples.some((sample) => sample.at > cutAt && sample.readyz === 503), "/readyz to report the lost connection", 5_000);
      const handledDuringOutage = await engine.handledSequence();
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - cutAt)));
      expect(await engine.handledSequence()).toBe(handledDuringOutage); // nothing arrives while cut off
      proxy.restore();

      await publish(AFTER);
      await engine.waitForSequence(BEFORE + DURING + AFTER, 30_000);
      await waitFor(() => health.samples.at(-1)?.readyz === 200, "/readyz to be 200 again", 10_000);
      await health.stop();

      // Each of the three connections came back on its own.
      expect(proxy.accepted).toBeGreaterThanOrEqual(connectionsBefore + 3);
      expect(engine.log.filter((line) => line.includes('"msg":"reconnected to NATS"')).length).toBeGreaterThanOrEqual(3);
      const states = health.readinessStates();
      expect(states).toEqual(["200", "503 disconnected from NATS, reconnecting", "200"]);
      for (const sample of health.samples) expect(sample.healthz).toBe(200);
      expect(await engine.stop()).toBe(0);

      const messages = await readEventStream(nc, config);
      expect(messages).toHaveLength(BEFORE + DURING + AFTER);
      const reference = referenceRun(config, messages);
      const recovered = await readCommittedState(nc, config);
      expect(recovered.seq).toBe(BEFORE + DURING + AFTER);
      expect(customerDifferences(recovered.customers, reference.customers)).toEqual([]);
      expect(recovered.customers.size).toBe(reference.customers.size);
      expect(recovered.stats).toEqual(reference.stats);
      expect(recovered.business).toEqual(reference.business);
      const stored = await readStoredDecisionIds(nc, config);
      expect(reference.decisionIds.length).toBeGreaterThan(100);
      expect(stored.length).toBe(new Set(stored).size);
      expect(new Set(stored)).toEqual(new Set(reference.decisionIds));
    } finally {
      await health.stop();
      await engine.kill();
    }
  });
});
