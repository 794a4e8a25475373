import { encode } from "@msgpack/msgpack";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import type { Channel } from "../../engine/index.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain, extensionPaths } from "../helpers/plainMsgpack.js";
import { startEngine } from "../helpers/startEngine.js";
import { waitFor } from "../helpers/waitFor.js";

/** An event as a Go, Java or Python producer would build it: integers are 64-bit. */
type ForeignEvent = Record<string, unknown> & { id: string; customerId: string; channel: Channel; ts: bigint };

/** Encodes with @msgpack/msgpack, BigInt as uint64 (0xcf), as Python's msgpack and Go's compact encoders do. */
const encodeForeign = (event: ForeignEvent): Uint8Array => encode(event, { useBigInt64: true });

/** The 9 bytes of a MessagePack 64-bit integer: a marker then the big-endian value. */
function int64Bytes(marker: 0xcf | 0xd3, value: bigint): number[] {
  const bytes = new Uint8Array(9);
  bytes[0] = marker;
  new DataView(bytes.buffer).setBigUint64(1, BigInt.asUintN(64, value));
  return [...bytes];
}

function indexOfBytes(haystack: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Rewrites the uint64 (0xcf) encoding of `value` as int64 (0xd3), as Go's default encoder writes an int64 field. */
function asInt64(bytes: Uint8Array, value: bigint): Uint8Array {
  const at = indexOfBytes(bytes, int64Bytes(0xcf, value));
  if (at < 0) throw new Error("no uint64 encoding of the value in the payload");
  const copy = bytes.slice();
  copy[at] = 0xd3;
  return copy;
}

interface Received {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly msgId: string | undefined;
}

describe("the wire contract with an independent MessagePack implementation", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let runtime: EngineRuntime;
  const decisions: Received[] = [];
  const deadLetters: Received[] = [];
  const now = BigInt(Date.now());
  let nextId = 0;

  const publish = async (channel: Channel, customerId: string, data: Uint8Array): Promise<number> => {
    const seq = (await js.publish(Subjects.event(channel, customerId), data)).seq;
    await waitFor(() => runtime.engine.stats.lastSeq >= seq, `the engine to handle stream sequence ${seq}`, 10_000);
    return seq;
  };
  const event = (customerId: string, channel: Channel, offsetMs: number, fields: Record<string, unknown>): ForeignEvent => ({
    id: `wire-${++nextId}`,
    customerId,
    channel,
    ts: now - 60_000n + BigInt(offsetMs),
    ...fields,
  });

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    const collect = (into: Received[]) => (_error: unknown, msg: Msg) => {
      into.push({ subject: msg.subject, data: msg.data, msgId: msg.headers?.get("Nats-Msg-Id") });
    };
    nc.subscribe(Subjects.decisionsAll, { callback: collect(decisions) });
    nc.subscribe(Subjects.dlqAll, { callback: collect(deadLetters) });
    await nc.flush();
    runtime = await startEngine(nats.url);
    js = jetstream(nc);
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
  });

  it("an event whose ts is a BigInt encoded as uint64 (0xcf) is applied with ts as a plain number, and its decision carries ts back as a 64-bit integer", async () => {
    const complaint = event("W1", "email", 0, { type: "complaint", reason: "billing" });
    const bytes = encodeForeign(complaint);
    expect(indexOfBytes(bytes, int64Bytes(0xcf, complaint.ts))).toBeGreaterThan(0);
    const seq = await publish("email", "W1", bytes);

    const profile = runtime.engine.profile("W1")!;
    expect(profile.lastSeq).toBe(seq);
    expect(profile.attitude.complaints).toBe(1);
    expect(profile.lifecycle.lastSeen).toBe(Number(complaint.ts));
    expect(typeof profile.lifecycle.lastSeen).toBe("number");
    expect(runtime.engine.watermark).toBe(Number(complaint.ts));

    const decisionId = `${complaint.id}:complaint-callback`;
    await waitFor(() => decisions.some((d) => d.msgId === decisionId), `decision ${decisionId}`, 5_000);
    const received = decisions.find((d) => d.msgId === decisionId)!;
    expect(received.subject).toBe("cx.decisions.callcenter.W1");
    // The ts field is a MessagePack 64-bit integer on the wire, not a float64 (0xcb).
    expect(indexOfBytes(received.data, [0xa2, 0x74, 0x73, 0xd3]) >= 0 || indexOfBytes(received.data, [0xa2, 0x74, 0x73, 0xcf]) >= 0).toBe(true);
    const decision = decodePlain(received.data, { bigints: true }) as Record<string, unknown> & { timings: Record<string, unknown> };
    expect(extensionPaths(decision)).toEqual([]);
    expect(decision.ts).toBe(complaint.ts);
    expect(typeof decision.timings.decidedAt).toBe("bigint");
    expect(decision).toMatchObject({ decisionId, customerId: "W1", channel: "callcenter", source: "trigger", eventId: complaint.id });
    // Without BigInt support a decoder still gets the exact number back.
    expect((decodePlain(received.data) as { ts: unknown }).ts).toBe(Number(complaint.ts));
  });

  it("an event whose ts is encoded as int64 (0xd3), as Go's default encoder writes an int64 field, is applied", async () => {
    const purchase = event("W2", "web", 1_000, { type: "purchase", amount: 650.5, cost: 400, product: "phone-x1", category: "phones", quantity: 1n });
    const bytes = asInt64(encodeForeign(purchase), purchase.ts);
    expect(indexOfBytes(bytes, int64Bytes(0xd3, purchase.ts))).toBeGreaterThan(0);
    const seq = await publish("web", "W2", bytes);
    const profile = runtime.engine.profile("W2")!;
    expect(profile.lastSeq).toBe(seq);
    expect(profile.behaviour).toMatchObject({ purchases: 1, revenue: 650.5, cost: 400, products: ["phone-x1"] });
    expect(profile.lifecycle.firstSeen).toBe(Number(purchase.ts));

    const decisionId = `${purchase.id}:high-value-web-thanks`;
    await waitFor(() => decisions.some((d) => d.msgId === decisionId), `decision ${decisionId}`, 5_000);
    const decision = decodePlain(decisions.find((d) => d.msgId === decisionId)!.data, { bigints: true }) as Record<string, unknown>;
    expect(decision.ts).toBe(purchase.ts);
  });

  it("a profile event with nested maps, booleans and small integers from @msgpack/msgpack is applied field for field", async () => {
    const profileEvent = event("W3", "branch", 2_000, {
      type: "profile",
      plan: "plus",
      region: "north",
      birthYear: 1980n,
      preferredChannel: "app",
      consents: { email: true, sms: false },
      attrs: { householdSize: 3, vip: true, note: "ok", score: 0.25, big: 5_000_000_000n },
    });
    await publish("branch", "W3", encodeForeign(profileEvent));
    const profile = runtime.engine.profile("W3")!;
    expect(profile.lifecycle).toMatchObject({ plan: "plus", region: "north", birthYear: 1980, preferredChannel: "app", consents: { email: true, sms: false } });
    expect(profile.attributes).toEqual({ householdSize: 3, vip: true, note: "ok", score: 0.25, big: 5_000_000_000 });
  });

  it("a uint64 ts beyond 2^53 and a negative int64 ts are dead-lettered as ts_out_of_range, and the engine goes on", async () => {
    const before = deadLetters.length;
    const huge = event("W4", "web", 0, { type: "login" });
    huge.ts = 2n ** 63n + 12345n;
    const negative = event("W4", "web", 0, { type: "login" });
    negative.ts = -1_700_000_000_000n;
    const hugeBytes = encodeForeign(huge);
    const negativeBytes = encodeForeign(negative);
    expect(indexOfBytes(negativeBytes, int64Bytes(0xd3, negative.ts))).toBeGreaterThan(0);
    await publish("web", "W4", hugeBytes);
    await publish("web", "W4", negativeBytes);
    await publish("web", "W4", encodeForeign(event("W4", "web", 3_000, { type: "login" })));
    expect(runtime.engine.profile("W4")?.behaviour.byType).toEqual({ login: 1 });

    await waitFor(() => deadLetters.length - before >= 2, "two dead letters", 5_000);
    const letters = deadLetters.slice(before).map((d) => ({ subject: d.subject, record: decodePlain(d.data, { bigints: true }) as Record<string, unknown> }));
    expect(letters.map((l) => l.subject)).toEqual(["cx.dlq.ts_out_of_range", "cx.dlq.ts_out_of_range"]);
    expect(Buffer.from(letters[0]!.record.payload as Uint8Array).equals(Buffer.from(hugeBytes))).toBe(true);
    expect(Buffer.from(letters[1]!.record.payload as Uint8Array).equals(Buffer.from(negativeBytes))).toBe(true);
  });

  it("dead-letter records are plain MessagePack: the original bytes as bin, the stream sequence, and receivedAt as a 64-bit integer", async () => {
    const before = deadLetters.length;
    const bad = encodeForeign(event("W5", "web", 0, { type: "login", colour: "red" }));
    const seq = await publish("web", "W5", bad);
    await waitFor(() => deadLetters.length > before, "a dead letter", 5_000);
    const letter = deadLetters[before]!;
    expect(letter.subject).toBe("cx.dlq.unknown_field");
    const record = decodePlain(letter.data, { bigints: true }) as Record<string, unknown>;
    expect(extensionPaths(record)).toEqual([]);
    expect(Object.keys(record).sort()).toEqual(["code", "error", "payload", "receivedAt", "seq", "subject"]);
    expect(record.code).toBe("unknown_field");
    expect(record.subject).toBe("cx.events.web.W5");
    expect(Number(record.seq)).toBe(seq);
    expect(typeof record.receivedAt).toBe("bigint");
    expect(Number(record.receivedAt)).toBeGreaterThan(Number(now) - 60_000);
    expect(record.payload).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(record.payload as Uint8Array).equals(Buffer.from(bad))).toBe(true);
    expect(String(record.error)).toContain("colour");
  });

  it("a decide request encoded by @msgpack/msgpack gets a reply that it decodes, with ts as a 64-bit integer", async () => {
    const reply = await nc.request(Subjects.decide("web"), encode({ customerId: "W2", limit: 2n }, { useBigInt64: true }), { timeout: 3_000 });
    expect(reply.headers?.get("Nats-Service-Error-Code") ?? "").toBe("");
    const decision = decodePlain(reply.data, { bigints: true }) as Record<string, unknown> & { actions: { actionId: string }[] };
    expect(extensionPaths(decision)).toEqual([]);
    expect(typeof decision.ts).toBe("bigint");
    expect(decision.actions.map((a) => a.actionId)).toEqual(["premium-upgrade", "accessory-cross-sell"]);
  });

  // 0xC1 is the one byte MessagePack reserves as "never used": a payload holding it is not
  // MessagePack, and a producer must hear malformed_msgpack, not a schema complaint.
  it("a payload using the never-used byte 0xC1, alone or as a field value, is dead-lettered as malformed_msgpack", async () => {
    const before = deadLetters.length;
    const lone = Uint8Array.from([0xc1]);
    const inField = encodeForeign(event("W6", "web", 0, { type: "login" }));
    const tsAt = indexOfBytes(inField, int64Bytes(0xcf, now - 60_000n));
    const damaged = Uint8Array.from([...inField.subarray(0, tsAt), 0xc1, ...inField.subarray(tsAt + 9)]);
    await publish("web", "W6", lone);
    await publish("web", "W6", damaged);
    await waitFor(() => deadLetters.length - before >= 2, "two dead letters", 5_000);
    const records = deadLetters.slice(before).map((d) => decodePlain(d.data) as { code: string; error: string });
    expect(records.map((r) => `${r.code}: ${r.error}`)).toEqual([
      expect.stringMatching(/^malformed_msgpack: /),
      expect.stringMatching(/^malformed_msgpack: /),
    ]);
    expect(runtime.engine.profile("W6")).toBeUndefined();
  });
});
