import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { encodeOutbound, EVENT_OUTCOMES, INPUT_ERROR_CODES, type EventInput, type InputErrorCode } from "../../engine/index.js";
import { MALFORMED_INPUTS } from "../../simulator/malformedInputs.js";
import { Rng } from "../../simulator/Rng.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain, extensionPaths } from "../helpers/plainMsgpack.js";
import { parsePrometheusText, sampleValue, type PrometheusExposition } from "../helpers/prometheusText.js";
import { startEngine } from "../helpers/startEngine.js";
import { waitFor } from "../helpers/waitFor.js";

interface DeadLetterMessage {
  readonly subject: string;
  readonly codeHeader: string | undefined;
  readonly record: {
    code: string;
    error: string;
    subject: string;
    seq: number;
    receivedAt: unknown;
    payload: Uint8Array;
  };
}

/** A phrase each kind's error message must contain, so a reader learns what was wrong. */
const ERROR_MENTIONS: Readonly<Record<string, string>> = {
  "random bytes": "MessagePack",
  "truncated MessagePack": "MessagePack",
  "malformed JSON": "JSON",
  "JSON array": "array",
  "MessagePack array": "array",
  "empty payload": "empty",
  "missing ts": '"ts"',
  "missing id": '"id"',
  "ts as a string": "ts",
  "unknown event type": "event type",
  "unknown channel": "channel",
  "unknown field": "color",
  "NaN amount": "amount",
  "infinite amount": "amount",
  "negative amount": "amount",
  "NPS score off the scale": "score",
  "ts a year in the future": "future",
  "ts in seconds": "ts",
  "oversized payload": "limit",
  "unsafe customer id": "customerId",
  "subject names another customer": "subject",
};

describe("bad input on the event stream", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let runtime: EngineRuntime;
  const deadLetters: DeadLetterMessage[] = [];
  /** Rejections expected so far, by code, over the whole file. */
  const expectedRejected = new Map<string, number>();

  const metrics = async (): Promise<PrometheusExposition> => {
    const response = await fetch(`http://127.0.0.1:${runtime.httpPort}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  };

  /** Publishes into the stream and returns the stream sequence JetStream stored it at. */
  const publish = async (subject: string, data: Uint8Array): Promise<number> => (await js.publish(subject, data)).seq;

  const applied = async (seq: number) =>
    waitFor(() => runtime.engine.stats.lastSeq >= seq, `the engine to handle stream sequence ${seq}`, 15_000);

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    nc.subscribe(Subjects.dlqAll, {
      callback: (_error, msg: Msg) => {
        deadLetters.push({
          subject: msg.subject,
          codeHeader: msg.headers?.get("Cx-Error-Code"),
          record: decodePlain(msg.data, { bigints: true }) as DeadLetterMessage["record"],
        });
      },
    });
    await nc.flush();
    runtime = await startEngine(nats.url);
    js = jetstream(nc);
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
  });

  it("every kind of malformed input lands on cx.dlq.<code> with its code, the original bytes and a readable error, and leaves the customer's profile unchanged", async () => {
    const now = Date.now();
    const customerId = "BAD1";
    const purchase = (id: string, ts: number, amount: number): EventInput => ({
      id, customerId, type: "purchase", channel: "web", ts, amount, product: "phone-x1", category: "phones",
    });
    const firstSeq = await publish(Subjects.event("web", customerId), encodeOutbound(purchase("good-1", now - 60_000, 120)));
    await applied(firstSeq);
    const before = runtime.engine.profile(customerId);
    expect(before?.behaviour.purchases).toBe(1);
    const watermarkBefore = runtime.engine.watermark;
    const rejectedBefore = runtime.engine.stats.totalRejected();
    const dlqBefore = deadLetters.length;

    // Every kind of damage, made from events of the same customer, between two good events.
    const rng = new Rng(11);
    const sent = new Map<number, { kind: string; code: InputErrorCode; subject: string; data: Uint8Array }>();
    for (const [index, malformed] of MALFORMED_INPUTS.entries()) {
      const damaged = malformed.make(purchase(`bad-${index}`, now - 30_000, 999), rng);
      const subject = damaged.subject ?? Subjects.event("web", customerId);
      const seq = await publish(subject, damaged.data);
      sent.set(seq, { kind: malformed.kind, code: malformed.code, subject, data: damaged.data });
      expectedRejected.set(malformed.code, (expectedRejected.get(malformed.code) ?? 0) + 1);
    }
    const lastBadSeq = Math.max(...sent.keys());
    await applied(lastBadSeq);
    expect(runtime.engine.stats.totalRejected() - rejectedBefore).toBe(MALFORMED_INPUTS.length);
    expect(runtime.engine.profile(customerId)).toEqual(before);
    expect(runtime.engine.watermark).toBe(watermarkBefore);
    expect(runtime.engine.profile(`${customerId}x`)).toBeUndefined();
    expect(runtime.engine.profile("a.b>*")).toBeUndefined();

    // The engine goes on applying good events after the bad ones.
    const secondSeq = await publish(Subjects.event("web", customerId), encodeOutbound(purchase("good-2", now - 10_000, 80)));
    await applied(secondSeq);
    const after = runtime.engine.profile(customerId)!;
    expect(after.lastSeq).toBe(secondSeq);
    expect(after.behaviour.purchases).toBe(2);
    expect(after.behaviour.revenue).toBe(200);
    expect(after.recentInteractions.map((i) => i.amount)).toEqual([120, 80]);

    await waitFor(() => deadLetters.length - dlqBefore >= MALFORMED_INPUTS.length, "one dead letter per malformed input", 10_000);
    const letters = deadLetters.slice(dlqBefore);
    expect(letters).toHaveLength(MALFORMED_INPUTS.length);
    const problems: string[] = [];
    for (const letter of letters) {
      const { record } = letter;
      const original = sent.get(record.seq);
      if (original === undefined) {
        problems.push(`dead letter for unexpected seq ${record.seq}`);
        continue;
      }
      const what = `${original.kind} (seq ${record.seq})`;
      if (letter.subject !== `cx.dlq.${original.code}`) problems.push(`${what}: on ${letter.subject}, not cx.dlq.${original.code}`);
      if (record.code !== original.code) problems.push(`${what}: code ${record.code}, not ${original.code}`);
      if (letter.codeHeader !== original.code) problems.push(`${what}: Cx-Error-Code header ${letter.codeHeader}`);
      if (record.subject !== original.subject) problems.push(`${what}: subject ${record.subject}, not ${original.subject}`);
      if (!(record.payload instanceof Uint8Array) || !Buffer.from(record.payload).equals(Buffer.from(original.data))) {
        problems.push(`${what}: payload is not the original ${original.data.length} bytes`);
      }
      if (typeof record.error !== "string" || record.error.length < 10 || !record.error.includes(ERROR_MENTIONS[original.kind]!)) {
        problems.push(`${what}: error "${record.error}" does not mention ${ERROR_MENTIONS[original.kind]}`);
      }
      if (typeof record.receivedAt !== "bigint") problems.push(`${what}: receivedAt is a ${typeof record.receivedAt}, not a 64-bit integer`);
      problems.push(...extensionPaths(record).map((path) => `${what}: extension value at ${path}`));
      sent.delete(record.seq);
    }
    expect(problems).toEqual([]);
    expect([...sent.values()].map((s) => s.kind)).toEqual([]);
  });

  it("a flood of mixed good and bad input is counted by code, every bad message dead-lettered and every good one applied", async () => {
    const simulator = new TrafficSimulator({ seed: 5, customers: 300, runId: "flood", malformedRatio: 0.3, jsonRatio: 0.1 });
    const appliedBefore = runtime.engine.stats.totalEvents(EVENT_OUTCOMES.indexOf("applied"));
    const dlqBefore = deadLetters.length;
    const ts = Date.now() - 5_000;
    let good = 0;
    let bad = 0;
    for (let i = 0; i < 3_000; i++) {
      const message = simulator.nextMessage(ts + i);
      nc.publish(message.subject, message.data);
      if (message.malformed === undefined) good++;
      else {
        bad++;
        expectedRejected.set(message.malformed.code, (expectedRejected.get(message.malformed.code) ?? 0) + 1);
      }
    }
    await nc.flush();
    const lastSeq = (await publish(Subjects.event("web", "FLOOD-END"), encodeOutbound({ id: "flood-end", customerId: "FLOOD-END", type: "login", channel: "web", ts })));
    await applied(lastSeq);
    expect(bad).toBeGreaterThan(600);
    expect(runtime.engine.stats.totalEvents(EVENT_OUTCOMES.indexOf("applied")) - appliedBefore).toBe(good + 1);
    for (const code of INPUT_ERROR_CODES) {
      expect(runtime.engine.stats.rejectedCount(code), `rejections with code ${code}`).toBe(expectedRejected.get(code) ?? 0);
    }
    await waitFor(() => deadLetters.length - dlqBefore >= bad, `${bad} dead letters`, 10_000);
    expect(deadLetters.length - dlqBefore).toBe(bad);
  });

  it("an event whose body names another channel than its subject is dead-lettered as subject_mismatch and applied nowhere", async () => {
    const before = deadLetters.length;
    const event: EventInput = { id: "mismatch-1", customerId: "BAD3", type: "login", channel: "app", ts: Date.now() - 1_000 };
    const data = encodeOutbound(event);
    const seq = await publish(Subjects.event("web", "BAD3"), data);
    expectedRejected.set("subject_mismatch", (expectedRejected.get("subject_mismatch") ?? 0) + 1);
    await applied(seq);
    expect(runtime.engine.profile("BAD3")).toBeUndefined();
    await waitFor(() => deadLetters.length > before, "a dead letter", 5_000);
    const letter = deadLetters[before]!;
    expect(letter.subject).toBe("cx.dlq.subject_mismatch");
    expect(letter.record.subject).toBe("cx.events.web.BAD3");
    expect(letter.record.error).toContain("cx.events.app.");
    expect(Buffer.from(letter.record.payload).equals(Buffer.from(data))).toBe(true);
  });

  it("/metrics is valid Prometheus text with cx_events_rejected_total by code, and /healthz and /readyz answer 200 after bad input", async () => {
    const exposition = await metrics();
    expect(exposition.errors).toEqual([]);
    expect(exposition.types.get("cx_events_rejected_total")).toBe("counter");
    expect(exposition.help.get("cx_events_rejected_total")).toMatch(/\S/);
    expect(expectedRejected.size).toBeGreaterThan(10);
    for (const code of INPUT_ERROR_CODES) {
      expect(sampleValue(exposition, "cx_events_rejected_total", { code }), `cx_events_rejected_total{code="${code}"}`).toBe(
        expectedRejected.get(code) ?? 0,
      );
    }
    expect(sampleValue(exposition, "cx_engine_errors_total")).toBe(0);
    expect(sampleValue(exposition, "cx_consumer_last_sequence")).toBe(runtime.engine.stats.lastSeq);
    // The valid events are counted apart from the rejected ones, by type, channel and outcome.
    const applied = exposition.samples
      .filter((s) => s.name === "cx_events_total" && s.labels.outcome === "applied")
      .reduce((sum, s) => sum + s.value, 0);
    expect(applied).toBe(runtime.engine.stats.totalEvents(EVENT_OUTCOMES.indexOf("applied")));

    for (const path of ["/healthz", "/readyz"]) {
      const response = await fetch(`http://127.0.0.1:${runtime.httpPort}${path}`);
      expect(response.status, path).toBe(200);
    }
    expect((await fetch(`http://127.0.0.1:${runtime.httpPort}/nope`)).status).toBe(404);
  });
});
