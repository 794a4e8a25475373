import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { Rng } from "../../simulator/Rng.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import {
  customerDifferences,
  readCommittedState,
  readEventStream,
  readStoredDecisionIds,
  referenceRun,
} from "../helpers/durableState.js";
import { EngineProcess } from "../helpers/EngineProcess.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { writeTestConfig } from "../helpers/testConfig.js";
import { waitUntil } from "../helpers/waitFor.js";

const EVENTS = 200_000;
const CUSTOMERS = 2_000;
const DAY_MS = 86_400_000;

describe("kill -9 the engine anywhere in a long stream", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let dir: string;
  let configFile: string;
  let config: CxConfig;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    dir = mkdtempSync(join(tmpdir(), "cxpulse-crash-"));
    configFile = writeTestConfig(dir, {
      "nats.url": nats.url,
      "http.port": 0,
      "log.level": "info",
      // Frequent checkpoints, so kills land before, during and after them.
      "checkpoint.interval": "300ms",
      // Fewer customers fit than exist: 500 live, up to 1,000 more packed, the others
      // spilled to the store and loaded back.
      "engine.maxCustomers": 1_500,
      "engine.hotCustomers": 500,
    });
    config = loadConfig(configFile);
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("after three crashes and restarts, state, counters and the stored decisions equal those of a run never interrupted", async () => {
    await ensureStream(nc, config.nats.stream, [Subjects.eventsAll]);
    const simulator = new TrafficSimulator({ seed: 4242, customers: CUSTOMERS, runId: "crash" });
    const start = Date.now() - 30 * DAY_MS;
    for (let i = 0; i < EVENTS; i++) {
      const message = simulator.nextMessage(start + i * 10);
      nc.publish(message.subject, message.data);
      if (i % 5_000 === 4_999) await nc.flush();
    }
    await nc.flush();
    const messages = await readEventStream(nc, config);
    expect(messages).toHaveLength(EVENTS);

    const rng = new Rng(7);
    const killPoints = [0.15, 0.45, 0.75].map((at) => Math.round(EVENTS * (at + 0.1 * rng.next())));
    const resumedAt: number[] = [];
    let loads = 0;
    let unpacked = 0;
    for (const killAt of killPoints) {
      const engine = await EngineProcess.start(configFile);
      const startSeq = engine.recovery().startSeq;
      resumedAt.push(startSeq);
      await engine.waitForSequence(killAt);
      // Under catch-up load the first checkpoint of a run can commit after the kill
      // point; without one, the restart would rightly start over and prove nothing.
      await waitUntil(async () => ((await engine.metric("cx_checkpoint_last_sequence")) ?? 0) >= startSeq, "a checkpoint committed in this run");
      loads += (await engine.metric("cx_customer_loads_total")) ?? 0;
      unpacked += (await engine.metric("cx_customers_unpacked_total")) ?? 0;
      await engine.kill();
    }
    const last = await EngineProcess.start(configFile);
    resumedAt.push(last.recovery().startSeq);
    await last.waitForSequence(EVENTS, 120_000);
    loads += (await last.metric("cx_customer_loads_total")) ?? 0;
    unpacked += (await last.metric("cx_customers_unpacked_total")) ?? 0;
    expect(await last.stop()).toBe(0);
    // The restarts resumed from checkpoints part-way through, not from the start...
    expect(resumedAt[0]).toBe(1);
    for (let i = 1; i < resumedAt.length; i++) {
      expect(resumedAt[i]).toBeGreaterThan(1);
      expect(resumedAt[i]).toBeLessThanOrEqual(killPoints[i - 1]!);
    }
    // ...customers were packed and unpacked, and went out of memory and came back from
    // the checkpoint store.
    expect(unpacked).toBeGreaterThan(0);
    expect(loads).toBeGreaterThan(0);

    const reference = referenceRun(config, messages);
    const recovered = await readCommittedState(nc, config);
    expect(recovered.seq).toBe(EVENTS);
    expect(customerDifferences(recovered.customers, reference.customers)).toEqual([]);
    expect(recovered.customers.size).toBe(reference.customers.size);
    expect(recovered.stats).toEqual(reference.stats);
    expect(recovered.business).toEqual(reference.business);
    expect(recovered.watermark).toBe(reference.watermark);

    const stored = await readStoredDecisionIds(nc, config);
    expect(reference.decisionIds.length).toBeGreaterThan(1_000);
    expect(stored.length).toBe(new Set(stored).size); // nothing stored twice
    expect(new Set(stored)).toEqual(new Set(reference.decisionIds));
  }, 120_000); // three restarts and recoveries of 200,000 events on a shared 2-core machine
});
