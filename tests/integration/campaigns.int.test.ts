import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "@msgpack/msgpack";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { loadConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import type { CampaignReport, Decision, EventInput } from "../../engine/index.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain } from "../helpers/plainMsgpack.js";
import { parsePrometheusText, sampleValue } from "../helpers/prometheusText.js";
import { startEngine } from "../helpers/startEngine.js";
import { writeTestConfig } from "../helpers/testConfig.js";
import { waitFor } from "../helpers/waitFor.js";

const CUSTOMERS = 60;

describe("campaigns over NATS", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let runtime: EngineRuntime;
  let dir: string;
  const now = Date.now();
  let nextId = 0;

  const send = async (...events: EventInput[]) => {
    let seq = 0;
    for (const e of events) seq = (await js.publish(Subjects.event(e.channel, e.customerId), encode(e))).seq;
    await waitFor(() => runtime.engine.stats.lastSeq >= seq, `the engine to apply stream sequence ${seq}`, 10_000);
  };
  const event = (customerId: string, ts: number, fields: Record<string, unknown>) =>
    ({ id: `cp-${++nextId}`, customerId, channel: "web", ts, ...fields }) as EventInput;
  const ask = async (subject: string, body: unknown) => {
    const msg = await nc.request(subject, encode(body), { timeout: 3_000 });
    return { body: decodePlain(msg.data) as Record<string, unknown>, errorCode: msg.headers?.get("Nats-Service-Error-Code") || undefined };
  };

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
    dir = mkdtempSync(join(tmpdir(), "cxpulse-campaigns-"));
    const campaigns = [{ id: "upgrade-push", audience: 'plan == "basic"', actions: ["premium-upgrade"], controlShare: 0.5, variants: [{ id: "A", weight: 1 }] }];
    runtime = await startEngine(nats.url, loadConfig(writeTestConfig(dir, { campaigns })));
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a decide request holds the campaign's action back from the control and tags it for the variant; cx.query.campaigns and /metrics count both arms", async () => {
    const ids = Array.from({ length: CUSTOMERS }, (_, c) => `CP${c}`);
    await send(...ids.flatMap((id, c) => [event(id, now - 60_000 + c, { type: "signup", plan: "basic" }), event(id, now - 50_000 + c, { type: "purchase", amount: 200, product: "phone-x2", category: "phones" })]));
    let control = 0;
    for (const id of ids) {
      const decision = (await ask(Subjects.decide("web"), { customerId: id })).body as unknown as Decision;
      const upgrade = decision.actions.find((a) => a.actionId === "premium-upgrade");
      if (upgrade === undefined) {
        expect(decision.filtered!.find((f) => f.actionId === "premium-upgrade")!.reason.code).toBe("experiment");
        control++;
      } else {
        expect(upgrade.campaign).toEqual({ id: "upgrade-push", arm: "A", probability: 0.5 });
      }
    }
    expect(control).toBeGreaterThan(10);
    expect(control).toBeLessThan(CUSTOMERS - 10);

    const reply = await ask(Subjects.queryCampaigns, {});
    const [report] = reply.body.campaigns as CampaignReport[];
    expect(report!.campaign).toBe("upgrade-push");
    expect(report!.running).toBe(true);
    expect(report!.arms).toEqual([
      { arm: "control", probability: 0.5 },
      { arm: "A", probability: 0.5 },
    ]);
    expect(report!.lift.arms.map((a) => [a.arm, a.contacts])).toEqual([
      ["control", control],
      ["A", CUSTOMERS - control],
    ]);
    expect(report!.lift.variants[0]!.arm).toBe("A");

    const exposition = parsePrometheusText(await (await fetch(`http://127.0.0.1:${runtime.httpPort}/metrics`)).text());
    expect(sampleValue(exposition, "cx_campaign_contacts", { campaign: "upgrade-push", arm: "control" })).toBe(control);
    expect(sampleValue(exposition, "cx_campaign_contacts", { campaign: "upgrade-push", arm: "A" })).toBe(CUSTOMERS - control);
  });

  it("cx.query.campaigns with an unknown campaign or key gets an error naming the problem", async () => {
    const unknown = await ask(Subjects.queryCampaigns, { campaign: "spring" });
    expect(unknown.errorCode).toBe("400");
    expect((unknown.body.error as { message: string }).message).toMatch(/unknown campaign "spring"; .*campaigns: upgrade-push/);
    const bad = await ask(Subjects.queryCampaigns, { campaigns: "all" });
    expect(bad.errorCode).toBe("400");
  });
});
