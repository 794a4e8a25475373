import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "@msgpack/msgpack";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loadConfig.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { EngineProcess } from "../helpers/EngineProcess.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { parsePrometheusText } from "../helpers/prometheusText.js";
import { runCxpulse } from "../helpers/runCxpulse.js";
import { writeTestConfig } from "../helpers/testConfig.js";

/** Every distinctive value below contains this; none may reach a log line or a metric label. */
const MARK = "ZQX";
/** A customer id of the simulator (C0, C1, ...) or of this test, as a whole token. */
const CUSTOMER_TOKEN = /(?<![A-Za-z0-9_-])(C\d+|ZQX[A-Z0-9_-]*)(?![A-Za-z0-9_-])/;

const textEncoder = new TextEncoder();
const json = (text: string) => textEncoder.encode(text);
const HOUR_MS = 3_600_000;

describe("privacy: customer ids and payloads stay out of logs and metric labels", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    dir = mkdtempSync(join(tmpdir(), "cxpulse-privacy-"));
    configFile = writeTestConfig(dir, { "nats.url": nats.url, "http.port": 0, "log.level": "info", "checkpoint.interval": "300ms" });
    await ensureStream(nc, loadConfig(configFile).nats.stream, [Subjects.eventsAll]);
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("at info level, with valid, malformed and simulated traffic, requests and a checkpoint, no log line or label holds a customer id or a payload value", async () => {
    const ts = Date.now() - HOUR_MS;
    const event = (customerId: string, fields: Record<string, unknown>) => ({
      id: `${MARK}EVT-${customerId}`,
      customerId,
      channel: "web",
      ts,
      ...fields,
    });
    // Bad input first: the log reports each code once per 10 s, so these are the ones it reports.
    const crafted: [string, Uint8Array][] = [
      // A JSON parser's message quotes the text around the error.
      ["cx.events.web.ZQXID01", json(`{"id":"ZQXEVT01","customerId":"ZQXID01","type":"purchase","product": ZQXVAL01}`)],
      // msgpackr's message for trailing bytes quotes the decoded value.
      ["cx.events.web.ZQXID02", Uint8Array.from([...encode(event("ZQXID02", { type: "login" })), 0x01])],
      ["cx.events.email.ZQXID03", encode({ ...event("ZQXID03", { type: "survey", survey: "nps", score: 777_777 }), channel: "email" })],
      ["cx.events.web.ZQXID04", encode(event("ZQXID04", { type: "login", ZQXFIELD04: "ZQXVAL04" }))],
      ["cx.events.web.ZQXID05", encode(event("ZQXID05", { type: "purchase", amount: "ZQXVAL05", product: "p", category: "c" }))],
      ["cx.events.web.bad", encode(event("ZQX ID 06!", { type: "login" }))],
      ["cx.events.web.ZQXID07", encode(event("ZQXID08", { type: "login" }))],
      ["cx.events.web.ZQXID09", encode(event("ZQXID09", { type: "login", channel: "ZQXCHAN09" }))],
      ["cx.events.web.ZQXID10", encode(event("ZQXID10", { type: "ZQXTYPE10" }))],
      ["cx.events.web.ZQXID11", json(JSON.stringify(event("ZQXID11", { type: "purchase", amount: 987_654, product: "ZQXPRODUCT11", category: "ZQXCAT11", attrs: { note: "ZQXVAL11" } })))],
      ["cx.events.callcenter.ZQXID12", encode({ ...event("ZQXID12", { type: "complaint", reason: "ZQXREASON12" }), channel: "callcenter" })],
    ];
    for (const [subject, data] of crafted) nc.publish(subject, data);
    await nc.flush();

    const engine = await EngineProcess.start(configFile);
    try {
      // Simulated traffic through the `simulate` command: customers C0..C299, a fifth of it malformed.
      const simulated = await runCxpulse(
        ["simulate", "--config", configFile, "--rate", "2000", "--duration", "1", "--customers", "300", "--malformed-ratio", "0.2", "--json-ratio", "0.3"],
        { timeoutMs: 20_000 },
      );
      expect(simulated.code, simulated.stderr).toBe(0);
      const published = Number(/published (\d+) messages/.exec(simulated.stdout)?.[1]);
      expect(published).toBeGreaterThan(1_000);

      // Requests, good and bad, about distinctive customers.
      for (const body of [
        { customerId: "ZQXID11", context: { note: "ZQXVAL13" } },
        { customerId: "ZQX BAD 14" },
        { customerId: "ZQXID15", limit: "ZQXVAL15" },
      ]) {
        await nc.request(Subjects.decide("web"), json(JSON.stringify(body)), { timeout: 3_000 });
      }
      await nc.request(Subjects.queryProfile, json(JSON.stringify({ customerId: "ZQXID11" })), { timeout: 3_000 });
      await nc.request(Subjects.decide("callcenter"), json("{not json ZQXVAL16"), { timeout: 3_000 });

      await engine.waitForSequence(crafted.length + published, 20_000);
      const exposition = parsePrometheusText(await (await fetch(`http://127.0.0.1:${engine.httpPort}/metrics`)).text());
      const rejected = exposition.samples.filter((sample) => sample.name === "cx_events_rejected_total" && sample.value > 0);
      expect(rejected.length).toBeGreaterThanOrEqual(8);
      expect(exposition.samples.some((sample) => sample.name === "cx_decisions_total" && sample.value > 0)).toBe(true);
      // A checkpoint covering everything has run, so its path had its chance to log too.
      await expect.poll(async () => (await engine.metric("cx_checkpoint_last_sequence")) ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(
        crafted.length + published,
      );
      expect(await engine.stop()).toBe(0);

      const labelValues = exposition.samples.flatMap((sample) => Object.values(sample.labels));
      expect(labelValues.length).toBeGreaterThan(50);
      expect(labelValues.filter((value) => value.includes(MARK) || CUSTOMER_TOKEN.test(value))).toEqual([]);

      const lines = [...engine.log, ...simulated.stderr.split("\n"), ...simulated.stdout.split("\n")].filter((line) => line.trim() !== "");
      // The log did report the bad input and the lifecycle, so there was something to leak.
      expect(lines.filter((line) => line.includes("rejected inbound event")).length).toBeGreaterThanOrEqual(8);
      expect(lines.some((line) => line.includes("final checkpoint written"))).toBe(true);
      for (const line of engine.log) expect(() => JSON.parse(line), line).not.toThrow();
      expect(lines.filter((line) => line.includes(MARK) || CUSTOMER_TOKEN.test(line) || /(?<!\d)(987654|777777)(?!\d)/.test(line))).toEqual([]);
    } finally {
      await engine.kill();
    }
  });
});
