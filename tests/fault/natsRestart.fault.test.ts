import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { TrafficSimulator, type SimulatedMessage } from "../../simulator/TrafficSimulator.js";
import { customerDifferences, readCommittedState, readEventStream, readStoredDecisionIds, referenceRun } from "../helpers/durableState.js";
import { EngineProcess } from "../helpers/EngineProcess.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { writeTestConfig } from "../helpers/testConfig.js";

const EVENTS = 60_000;
const RESTART_AFTER = 25_000;
const IN_FLIGHT = 256;
const DAY_MS = 86_400_000;

describe("the NATS server restarts in the middle of a stream", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let dir: string;
  let configFile: string;
  let config: CxConfig;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    dir = mkdtempSync(join(tmpdir(), "cxpulse-nats-restart-"));
    configFile = writeTestConfig(dir, { "nats.url": nats.url, "http.port": 0, "checkpoint.interval": "500ms" });
    config = loadConfig(configFile);
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the engine reconnects, loses nothing, and ends equal to a run over the same stream that saw no restart", async () => {
    await ensureStream(nc, config.nats.stream, [Subjects.eventsAll]);
    const engine = await EngineProcess.start(configFile);

    // A careful producer: JetStream publishes with the event id as Nats-Msg-Id, retried
    // until acknowledged, so the stream holds every event exactly once across the restart.
    const js = jetstream(nc);
    const simulator = new TrafficSimulator({ seed: 99, customers: 1_500, runId: "restart" });
    const start = Date.now() - 10 * DAY_MS;
    const inFlight = new Set<Promise<void>>();
    const publishUntilStored = async (message: SimulatedMessage) => {
      for (;;) {
        try {
          await js.publish(message.subject, message.data, { msgID: message.event!.id, timeout: 2_000 });
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    let restarted: Promise<void> | undefined;
    for (let i = 0; i < EVENTS; i++) {
      if (i === RESTART_AFTER) restarted = nats.server.restart();
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      const done: Promise<void> = publishUntilStored(simulator.nextMessage(start + i * 100)).then(() => {
        inFlight.delete(done);
      });
      inFlight.add(done);
    }
    await Promise.all(inFlight);
    await restarted;

    const messages = await readEventStream(nc, config);
    expect(messages).toHaveLength(EVENTS);
    await engine.waitForSequence(EVENTS, 90_000);
    const reconnects = engine.log.filter((line) => line.includes("reconnected to NATS")).length;
    expect(await engine.stop()).toBe(0);
    expect(reconnects).toBeGreaterThanOrEqual(1);

    const reference = referenceRun(config, messages);
    const recovered = await readCommittedState(nc, config);
    expect(recovered.seq).toBe(EVENTS);
    expect(customerDifferences(recovered.customers, reference.customers)).toEqual([]);
    expect(recovered.stats).toEqual(reference.stats);
    expect(recovered.business).toEqual(reference.business);
    const stored = await readStoredDecisionIds(nc, config);
    expect(stored.length).toBe(new Set(stored).size);
    expect(new Set(stored)).toEqual(new Set(reference.decisionIds));
  });
});
