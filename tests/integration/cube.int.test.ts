import { encode } from "@msgpack/msgpack";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import type { EventInput } from "../../engine/index.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain } from "../helpers/plainMsgpack.js";
import { startEngine } from "../helpers/startEngine.js";
import { waitFor } from "../helpers/waitFor.js";

const textEncoder = new TextEncoder();

describe("cx.query.cube over NATS", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let runtime: EngineRuntime;
  // The events are milliseconds apart: one calendar month.
  const ts = Date.now() - 60_000;
  const month = new Date(ts).toISOString().slice(0, 7);
  let nextId = 0;

  const event = (customerId: string, channel: string, fields: Record<string, unknown>) =>
    ({ id: `cube-${++nextId}`, customerId, channel, ts: ts + nextId, cost: 1, ...fields }) as EventInput;

  const send = async (...events: EventInput[]) => {
    let seq = 0;
    for (const e of events) seq = (await js.publish(Subjects.event(e.channel, e.customerId), encode(e))).seq;
    await waitFor(() => runtime.engine.stats.lastSeq >= seq, `the engine to apply stream sequence ${seq}`, 10_000);
  };
  const ask = async (request: Uint8Array) => {
    const msg = await nc.request(Subjects.queryCube, request, { timeout: 3_000 });
    const body = msg.data[0] === 0x7b ? JSON.parse(new TextDecoder().decode(msg.data)) : decodePlain(msg.data);
    return { body: body as Record<string, unknown>, errorCode: msg.headers?.get("Nats-Service-Error-Code") || undefined };
  };
  const json = (value: unknown) => textEncoder.encode(JSON.stringify(value));

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
    runtime = await startEngine(nats.url);
    await send(
      event("CUBE1", "web", { type: "purchase", amount: 300, product: "tv-1", category: "tv" }),
      event("CUBE1", "web", { type: "offer_response", offerId: "premium-upgrade", response: "accept" }),
      event("CUBE2", "app", { type: "purchase", amount: 50, product: "case", category: "accessories" }),
      event("CUBE2", "app", { type: "offer_response", offerId: "premium-upgrade", response: "decline" }),
      event("CUBE2", "app", { type: "cancel" }),
      event("CUBE3", "web", { type: "web_visit" }),
    );
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
  });

  it("answers a group-by in the request's encoding, with the watermark and the time it took", async () => {
    const query = { dimensions: ["channel", "month"], measures: ["customers", "revenue", "profit", "churnRate", "responseRate"] };
    const { body, errorCode } = await ask(json(query));
    expect(errorCode).toBeUndefined();
    expect(body.rows).toEqual([
      { channel: "web", month, customers: 2, revenue: 300, profit: 297, churnRate: 0, responseRate: 1 },
      { channel: "app", month, customers: 1, revenue: 50, profit: 47, churnRate: 1, responseRate: 0 },
    ]);
    expect(body).toMatchObject({ watermark: runtime.engine.watermark, dimensions: ["channel", "month"], months: { to: month } });
    expect(body.tookMs).toBeGreaterThanOrEqual(0);
    expect(body.tookMs).toBeLessThan(100);

    const packed = await ask(encode({ filter: { channel: "app" }, measures: ["events", "cancellations"] }));
    expect(packed.body.rows).toEqual([{ events: 3, cancellations: 1 }]);
  });

  it.each([
    [{ dimensions: ["region"] }, 'unknown dimension "region"'],
    [{ measures: ["margin"] }, 'unknown measure "margin"'],
    [{ filter: { channel: "fax" } }, 'unknown channel "fax" in the filter'],
    [{ filter: { month: "last" } }, 'month "last" in the filter is not YYYY-MM'],
    [{ dimensions: "channel" }, "a cube query is"],
  ])("answers the bad query %j with an error naming the problem", async (query, message) => {
    const { body, errorCode } = await ask(json(query));
    expect(errorCode).toBe("400");
    expect(body.error).toMatchObject({ code: "invalid_value" });
    expect((body.error as { message: string }).message).toContain(message);
  });

  it("answers a body that is not JSON or MessagePack with an error", async () => {
    const { body, errorCode } = await ask(textEncoder.encode("{dimensions"));
    expect(errorCode).toBe("400");
    expect((body.error as { code: string }).code).toMatch(/^[a-z_]+$/);
  });
});
