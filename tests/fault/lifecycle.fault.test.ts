import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { freePort } from "../../connectors/nats/NatsServerProcess.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import {
  customerDifferences,
  readCommittedState,
  readEventStream,
  readStoredDecisionIds,
  referenceRun,
  type DurableOutcome,
} from "../helpers/durableState.js";
import { EngineProcess } from "../helpers/EngineProcess.js";
import { HealthPoller } from "../helpers/HealthPoller.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { writeTestConfig } from "../helpers/testConfig.js";
import { sleep, waitFor } from "../helpers/waitFor.js";

const CUSTOMERS = 20_000;
/** SIGTERM comes once the engine has handled this much, while traffic keeps coming. */
const STOP_AFTER = 15_000;
const DAY_MS = 86_400_000;

/** Publishes simulated traffic in bursts (at most about 25,000 a second) until stopped. */
class Producer {
  sent = 0;
  #running = true;
  readonly #done: Promise<void>;

  constructor(nc: NatsConnection, simulator: TrafficSimulator, startTs: number) {
    this.#done = (async () => {
      while (this.#running) {
        for (let i = 0; i < 250; i++) {
          const message = simulator.nextMessage(startTs + this.sent * 20);
          nc.publish(message.subject, message.data);
          this.sent++;
        }
        await nc.flush();
        await sleep(10);
      }
    })();
  }

  async stop(): Promise<number> {
    this.#running = false;
    await this.#done;
    return this.sent;
  }
}

/** The JSON log line with this message (the last one, if several). */
function logged<T>(engine: EngineProcess, message: string): T | undefined {
  const line = engine.log.findLast((entry) => entry.includes(`"msg":"${message}"`));
  return line === undefined ? undefined : (JSON.parse(line) as T);
}

function expectEqualOutcomes(actual: DurableOutcome, expected: DurableOutcome): void {
  expect(actual.seq).toBe(expected.seq);
  expect(customerDifferences(actual.customers, expected.customers)).toEqual([]);
  expect(actual.customers.size).toBe(expected.customers.size);
  expect(actual.stats).toEqual(expected.stats);
  expect(actual.business).toEqual(expected.business);
  expect(actual.watermark).toBe(expected.watermark);
}

describe("graceful lifecycle: SIGTERM drains and checkpoints; a restart recovers before it is ready", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let dir: string;
  let configFile: string;
  let config: CxConfig;
  let httpPort: number;
  /** Where the first run's final checkpoint left the stream. */
  let stoppedAt = 0;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    dir = mkdtempSync(join(tmpdir(), "cxpulse-lifecycle-"));
    httpPort = await freePort();
    configFile = writeTestConfig(dir, {
      "nats.url": nats.url,
      // A known port, so /readyz can be watched from the moment the process starts.
      "http.port": httpPort,
      "log.level": "info",
      // No periodic checkpoint: the only one is the final checkpoint of a graceful stop.
      "checkpoint.interval": "1h",
    });
    config = loadConfig(configFile);
    await ensureStream(nc, config.nats.stream, [Subjects.eventsAll]);
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("SIGTERM in the middle of traffic: /readyz turns 503 draining while /healthz stays 200, the final checkpoint is at the last handled sequence, exit 0", async () => {
    const engine = await EngineProcess.start(configFile);
    const producer = new Producer(nc, new TrafficSimulator({ seed: 31, customers: CUSTOMERS, runId: "life", malformedRatio: 0.01 }), Date.now() - 20 * DAY_MS);
    try {
      await engine.waitForSequence(STOP_AFTER, 30_000);
      const health = new HealthPoller(httpPort);
      // Ready before the stop. (Under this load a probe can go unanswered for a second now
      // and then, an event-loop stall the load benchmark measures; not what this test is about.)
      await waitFor(() => health.samples.filter((sample) => sample.readyz === 200).length >= 3, "a few ready samples of the running engine", 10_000);
      const exited = new Promise<number | null>((resolve) => engine.child.once("exit", (code) => resolve(code)));
      engine.child.kill("SIGTERM");
      const code = await exited;
      const samples = await health.stop();
      // Traffic went on after the engine stopped: what it had not taken stays in the stream.
      const sentAtExit = producer.sent;
      while (producer.sent < sentAtExit + 2_000) await sleep(5);
      await producer.stop();

      expect(code, engine.log.slice(-10).join("\n")).toBe(0);
      const states = health.readinessStates();
      const draining = states.indexOf("503 draining");
      expect(draining, states.join(" → ")).toBeGreaterThan(0);
      expect(states.slice(0, draining), states.join(" → ")).toContain("200");
      // Once draining, never ready again; then the endpoints go away with the process.
      expect(states.slice(draining + 1).every((state) => state === "down" || state === "503 draining")).toBe(true);
      for (const sample of samples) if (sample.readyz !== "down") expect(sample.healthz).toBe(200);

      const final = logged<{ seq: number; customers: number }>(engine, "final checkpoint written");
      const stopped = logged<{ lastSeq: number }>(engine, "cxpulse engine stopped");
      expect(final, engine.log.slice(-10).join("\n")).toBeDefined();
      expect(stopped).toBeDefined();
      expect(final!.seq).toBe(stopped!.lastSeq);
      expect(final!.seq).toBeGreaterThanOrEqual(STOP_AFTER);

      const committed = await readCommittedState(nc, config);
      expect(committed.seq).toBe(final!.seq);
      const messages = await readEventStream(nc, config);
      expect(messages.length).toBeGreaterThan(committed.seq); // stopped mid-stream
      // Everything up to the checkpoint is in it, exactly as a run over those messages would have it.
      expectEqualOutcomes(committed, referenceRun(config, messages.filter((message) => message.seq <= committed.seq)));
      stoppedAt = committed.seq;
    } finally {
      await producer.stop();
      await engine.kill();
    }
  }, 120_000);

  it("on restart /readyz is 503 recovering (never 200) until the checkpoint is loaded; it resumes at the next sequence and ends equal to a run never stopped", async () => {
    expect(stoppedAt).toBeGreaterThan(0);
    const messages = await readEventStream(nc, config);
    const health = new HealthPoller(httpPort);
    let child: ChildProcess | undefined;
    let hungUp = false;
    // A SIGHUP while recovering must not end the process (its default action would).
    health.onSample((sample) => {
      if (!hungUp && sample.readyzBody.includes("recovering") && child !== undefined) {
        hungUp = true;
        child.kill("SIGHUP");
      }
    });
    const started = await EngineProcess.startWatched(configFile, {}, (spawned) => (child = spawned));
    try {
      await started.waitForSequence(messages.at(-1)!.seq, 30_000);
      await health.stop();
      const recovery = started.recovery();
      expect(recovery.startSeq).toBe(stoppedAt + 1);
      expect(recovery.customersRestored).toBeGreaterThan(5_000);

      const states = health.readinessStates();
      expect(states).toContain("503 recovering");
      // The SIGHUP that came while recovering was held and done once running.
      expect(hungUp).toBe(true);
      await expect.poll(() => started.log.some((line) => line.includes('"msg":"configuration reloaded"')), { timeout: 5_000 }).toBe(true);
      const rank = (state: string) => ["down", "503 starting", "503 recovering", "200"].indexOf(state);
      for (const state of states) expect(rank(state), `unexpected readiness ${state} in ${states.join(" → ")}`).toBeGreaterThanOrEqual(0);
      const ranks = states.map(rank);
      expect(ranks, states.join(" → ")).toEqual([...ranks].sort((a, b) => a - b));
      expect(states.at(-1)).toBe("200");

      expect(await started.stop()).toBe(0);
      const reference = referenceRun(config, messages);
      expectEqualOutcomes(await readCommittedState(nc, config), reference);
      const stored = await readStoredDecisionIds(nc, config);
      expect(reference.decisionIds.length).toBeGreaterThan(100);
      expect(stored.length).toBe(new Set(stored).size);
      expect(new Set(stored)).toEqual(new Set(reference.decisionIds));
    } finally {
      await health.stop();
      await started.kill();
    }
  }, 120_000);
});
