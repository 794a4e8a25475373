import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { readStream } from "../../connectors/nats/readStream.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { compileDecisionConfig, decodeStored, Engine, IngestResult, ManualClock, type InputErrorCode } from "../../engine/index.js";
import { MALFORMED_INPUTS } from "../../simulator/malformedInputs.js";
import { Rng } from "../../simulator/Rng.js";
import { TrafficSimulator, type SimulatedMessage } from "../../simulator/TrafficSimulator.js";
import { customerDifferences, readCommittedState, referenceRun, type StreamMessage } from "../helpers/durableState.js";
import { EngineProcess } from "../helpers/EngineProcess.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { writeTestConfig } from "../helpers/testConfig.js";

const VALID = 40_000;
const MALFORMED = 100_000;
const DAY_MS = 86_400_000;

interface Bad {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly code: InputErrorCode;
}

/**
 * Damages a valid message at random: flipped bits, cut or grown bytes, spliced noise,
 * or one of the known kinds of bad input. Some damage leaves a valid event (a flipped
 * bit in a product name); the oracle keeps only what the engine's own rules reject.
 */
function mutate(message: SimulatedMessage, rng: Rng): { subject: string; data: Uint8Array } {
  const bytes = Uint8Array.from(message.data);
  switch (rng.int(6)) {
    case 0:
      for (let flips = 1 + rng.int(4); flips > 0; flips--) bytes[rng.int(bytes.length)]! ^= 1 << rng.int(8);
      return { subject: message.subject, data: bytes };
    case 1:
      return { subject: message.subject, data: bytes.subarray(0, rng.int(bytes.length)) };
    case 2: {
      const grown = new Uint8Array(bytes.length + 1 + rng.int(16));
      grown.set(bytes);
      for (let i = bytes.length; i < grown.length; i++) grown[i] = rng.int(256);
      return { subject: message.subject, data: grown };
    }
    case 3: {
      const at = rng.int(bytes.length);
      for (let i = at; i < Math.min(bytes.length, at + 1 + rng.int(8)); i++) bytes[i] = rng.int(256);
      return { subject: message.subject, data: bytes };
    }
    case 4:
      return { subject: message.subject, data: Uint8Array.from({ length: 1 + rng.int(200) }, () => rng.int(256)) };
    default: {
      const damaged = rng.pick(MALFORMED_INPUTS).make(message.event!, rng);
      return { subject: damaged.subject ?? message.subject, data: damaged.data };
    }
  }
}

describe("fuzzing: malformed and mutated messages mixed into a valid stream", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let dir: string;
  let configFile: string;
  let config: CxConfig;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    dir = mkdtempSync(join(tmpdir(), "cxpulse-fuzz-"));
    configFile = writeTestConfig(dir, { "nats.url": nats.url, "http.port": 0 });
    config = loadConfig(configFile);
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("100,000 bad messages: no crash, each counted and dead-lettered with its code, and the state equals the run without them", async () => {
    // The oracle: the engine's own rules, in a scratch engine, say which damage is bad and why.
    let rejectedAs: InputErrorCode | undefined;
    const oracle = new Engine({
      settings: config.engine,
      decisions: compileDecisionConfig(config.decisions, config.locate),
      clock: new ManualClock(Date.now()),
      output: { decision: () => undefined, rejected: (r) => (rejectedAs = r.code), requestDecisionRecorded: () => undefined, segmentChanged: () => undefined },
      eventSubjectPrefix: Subjects.eventsPrefix,
    });
    const rng = new Rng(2026);
    const simulator = new TrafficSimulator({ seed: 31, customers: 1_000, runId: "fuzz" });
    const start = Date.now() - 5 * DAY_MS;
    const valid: SimulatedMessage[] = [];
    for (let i = 0; i < VALID; i++) valid.push(simulator.nextMessage(start + i * 1_000));
    const bad: Bad[] = [];
    while (bad.length < MALFORMED) {
      const candidate = mutate(rng.pick(valid), rng);
      rejectedAs = undefined;
      if (oracle.ingest(candidate.data, candidate.subject, 0) === IngestResult.Rejected) bad.push({ ...candidate, code: rejectedAs! });
    }

    // Publish: the valid stream in order, with the bad ones scattered through it.
    await ensureStream(nc, config.nats.stream, [Subjects.eventsAll]);
    const engine = await EngineProcess.start(configFile);
    let nextBad = 0;
    let published = 0;
    for (let i = 0; i < VALID; i++) {
      nc.publish(valid[i]!.subject, valid[i]!.data);
      const badHere = Math.round(((i + 1) * MALFORMED) / VALID) - nextBad;
      for (let b = 0; b < badHere; b++, nextBad++) nc.publish(bad[nextBad]!.subject, bad[nextBad]!.data);
      published += 1 + badHere;
      if (i % 2_000 === 1_999) await nc.flush();
    }
    await nc.flush();
    expect(nextBad).toBe(MALFORMED);

    await engine.waitForSequence(published, 120_000);
    expect(await engine.metric("cx_events_rejected_total")).toBe(MALFORMED);
    const expectedByCode = new Map<string, number>();
    for (const b of bad) expectedByCode.set(b.code, (expectedByCode.get(b.code) ?? 0) + 1);
    expect(expectedByCode.size).toBeGreaterThanOrEqual(10);
    expect(await engine.stop()).toBe(0);

    // Every bad message is in the dead-letter stream once, under its code, with its original bytes.
    const dead = new Map<string, number>();
    const payloads = new Set<string>();
    await readStream(nc, config.nats.dlqStream.name, {}, (message) => {
      const letter = decodeStored(message.data) as { code: string; payload: Uint8Array };
      expect(message.subject).toBe(Subjects.dlq(letter.code as InputErrorCode));
      dead.set(letter.code, (dead.get(letter.code) ?? 0) + 1);
      payloads.add(Buffer.from(letter.payload).toString("base64"));
    });
    expect(dead).toEqual(expectedByCode);
    for (const b of bad.slice(0, 2_000)) expect(payloads.has(Buffer.from(b.data).toString("base64"))).toBe(true);

    // The state is what the valid events alone make: bad input touched nothing.
    const validOnly: StreamMessage[] = valid.map((m, i) => ({ seq: i + 1, subject: m.subject, data: m.data }));
    const reference = referenceRun(config, validOnly);
    const recovered = await readCommittedState(nc, config);
    const withoutSeq = (customers: Map<string, unknown>) =>
      new Map([...customers].map(([id, state]) => [id, { ...(state as object), lastSeq: undefined }]));
    expect(customerDifferences(withoutSeq(recovered.customers), withoutSeq(reference.customers))).toEqual([]);
    expect(recovered.customers.size).toBe(reference.customers.size);
    expect(recovered.business).toEqual(reference.business);
  });
});
