import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { EngineProcess } from "../helpers/EngineProcess.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { parsePrometheusText } from "../helpers/prometheusText.js";
import { runCxpulse } from "../helpers/runCxpulse.js";
import { writeTestConfig } from "../helpers/testConfig.js";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The 1-based line of the first line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(file, "utf8").split("\n").findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${text} is not in ${file}`);
  return index + 1;
}

describe("invalid configuration at start", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cxpulse-config-start-"));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // nats.url points at a closed port: a start that got past the configuration would fail differently.
  const cases: readonly { what: string; settings: Record<string, unknown>; find: string; column: number; key: string; code: string }[] = [
    { what: "an unknown key", settings: { "engine.maxCustomerz": 5 }, find: "maxCustomerz", column: 3, key: "engine.maxCustomerz: unknown key", code: "config_invalid" },
    { what: "a value of the wrong type", settings: { "engine.maxCustomers": "many" }, find: "maxCustomers: many", column: 17, key: "engine.maxCustomers: expected integer", code: "config_invalid" },
    { what: "an invalid duration", settings: { "checkpoint.interval": "5 parsecs" }, find: "5 parsecs", column: 13, key: "checkpoint.interval: expected a duration", code: "config_invalid" },
    { what: "a rule with a syntax error", settings: { "actions.0.eligibility": "openComplaints >" }, find: "eligibility: openComplaints >", column: 34, key: "actions[0].eligibility:", code: "rule_syntax" },
    { what: "a rule naming an unknown field", settings: { "triggers.0.when": "openComplaintz > 0" }, find: "openComplaintz", column: 11, key: "triggers[0].when:", code: "rule_unknown_name" },
  ];

  for (const bad of cases) {
    it(`start exits 2 at once on ${bad.what}, naming file:line:column and the key on stderr`, async () => {
      const file = writeTestConfig(dir, { "nats.url": "nats://127.0.0.1:1", ...bad.settings }, `${bad.code}-${bad.column}.yaml`);
      const line = lineOf(file, bad.find);
      const result = await runCxpulse(["start", "--config", file], { timeoutMs: 20_000 });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`${file}:${line}:${bad.column} ${bad.key}`);
      expect(result.stderr).toContain(`[${bad.code}]`);
      expect(result.stderr).not.toContain("cannot connect");
    });
  }
});

interface DecideReply {
  configVersion: string;
  actions: { actionId: string; score: number; propensity: number }[];
}

describe("configuration reload: SIGHUP and cx.admin.reload", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let dir: string;
  let engine: EngineProcess;
  const thankYou = loadConfig().decisions.actions.findIndex((action) => action.id === "thank-you-note");

  /** Writes the configuration with this version and this value of the thank-you-note action. */
  const writeVersion = (version: string, value: number, extra: Record<string, unknown> = {}) =>
    writeTestConfig(dir, { "nats.url": nats.url, "http.port": 0, version, [`actions.${thankYou}.value`]: value, ...extra });

  const versionInMetrics = async (): Promise<string[]> => {
    const text = await (await fetch(`http://127.0.0.1:${engine.httpPort}/metrics`)).text();
    return parsePrometheusText(text)
      .samples.filter((sample) => sample.name === "cx_config_info" && sample.value === 1)
      .map((sample) => sample.labels.version!);
  };

  const decide = async (): Promise<DecideReply> => {
    const reply = await nc.request(Subjects.decide("web"), textEncoder.encode(JSON.stringify({ customerId: "RELOAD1", limit: 9 })), { timeout: 3_000 });
    return JSON.parse(textDecoder.decode(reply.data)) as DecideReply;
  };

  /** The version in force, as /metrics and a decide reply both say, and the thank-you-note's value x weight. */
  const inForce = async () => {
    const reply = await decide();
    const note = reply.actions.find((a) => a.actionId === "thank-you-note");
    // value x weight: the score over the action's propensity (its response model's, the same before and after a reload).
    return { metrics: await versionInMetrics(), decide: reply.configVersion, score: note === undefined ? undefined : Math.round((note.score / note.propensity) * 1e9) / 1e9 };
  };

  const adminReload = async () => {
    const reply = await nc.request(Subjects.adminReload, textEncoder.encode("{}"), { timeout: 5_000 });
    return {
      body: JSON.parse(textDecoder.decode(reply.data)) as { reloaded?: boolean; version?: string; error?: { code: string; message: string } },
      errorCode: reply.headers?.get("Nats-Service-Error-Code"),
      errorHeader: reply.headers?.get("Nats-Service-Error"),
    };
  };

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    dir = mkdtempSync(join(tmpdir(), "cxpulse-reload-"));
    engine = await EngineProcess.start(writeVersion("reload-v1", 5));
  });

  afterAll(async () => {
    await engine?.kill();
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts with the file's version in cx_config_info and in decisions", async () => {
    expect(await inForce()).toEqual({ metrics: ["reload-v1"], decide: "reload-v1", score: 5 });
  });

  it("SIGHUP with a valid edit puts the new catalog and version in force", async () => {
    writeVersion("reload-v2", 50);
    engine.child.kill("SIGHUP");
    await expect.poll(versionInMetrics, { timeout: 5_000 }).toEqual(["reload-v2"]);
    expect(await inForce()).toEqual({ metrics: ["reload-v2"], decide: "reload-v2", score: 50 });
    expect(engine.log.some((line) => line.includes('"configuration reloaded"') && line.includes("reload-v2"))).toBe(true);
  });

  it("a cx.admin.reload request with a valid edit answers with the new version, which is in force", async () => {
    writeVersion("reload-v3", 70);
    const reply = await adminReload();
    expect(reply.errorCode).toBeUndefined();
    expect(reply.body).toEqual({ reloaded: true, version: "reload-v3" });
    expect(await inForce()).toEqual({ metrics: ["reload-v3"], decide: "reload-v3", score: 70 });
  });

  it("a cx.admin.reload request with an unknown key gets an error naming file:line:column and the key; v3 stays in force", async () => {
    const file = writeVersion("reload-v4", 80, { "log.lvel": "debug" });
    const line = lineOf(file, "lvel: debug");
    const reply = await adminReload();
    expect(reply.errorCode).toBe("400");
    expect(reply.body.error?.code).toBe("config_invalid");
    expect(reply.body.error?.message).toContain(`${file}:${line}:3 log.lvel: unknown key`);
    expect(await inForce()).toEqual({ metrics: ["reload-v3"], decide: "reload-v3", score: 70 });
  });

  it("a cx.admin.reload request with a bad rule or broken YAML is refused with the reason; v3 stays in force", async () => {
    const file = writeVersion("reload-v5", 90, { [`actions.${thankYou}.eligibility`]: "tenureDays >< 3" });
    const ruleReply = await adminReload();
    expect(ruleReply.body.error?.code).toBe("rule_syntax");
    expect(ruleReply.body.error?.message).toContain(`${file}:${lineOf(file, "tenureDays >< 3")}:`);
    expect(ruleReply.body.error?.message).toContain(`actions[${thankYou}].eligibility`);
    // The caret display spans lines; the header holds it folded onto one.
    expect(ruleReply.body.error?.message).toContain("\n");
    expect(ruleReply.errorHeader).toMatch(/^rule_syntax: .*tenureDays >< 3.*\^$/);

    writeFileSync(file, "version: reload-v6\nengine: [unclosed\n");
    const yamlReply = await adminReload();
    expect(yamlReply.body.error?.code).toBe("config_syntax");
    expect(yamlReply.body.error?.message).toContain(`${file}:`);
    expect(await inForce()).toEqual({ metrics: ["reload-v3"], decide: "reload-v3", score: 70 });
  });

  it("SIGHUP with an invalid edit logs the refusal with file, line and key; v3 stays in force and the engine keeps running", async () => {
    const file = writeVersion("reload-v7", 99, { "engine.decideLimit": "three" });
    const line = lineOf(file, "decideLimit: three");
    const before = engine.log.length;
    engine.child.kill("SIGHUP");
    await expect
      .poll(() => engine.log.slice(before).find((entry) => entry.includes("configuration reload refused")), { timeout: 5_000 })
      .toBeDefined();
    const refusal = JSON.parse(engine.log.slice(before).find((entry) => entry.includes("configuration reload refused"))!) as {
      level: number;
      error: string;
    };
    expect(refusal.level).toBe(50); // error
    expect(refusal.error).toContain(`${file}:${line}:`);
    expect(refusal.error).toContain("engine.decideLimit");
    expect(await inForce()).toEqual({ metrics: ["reload-v3"], decide: "reload-v3", score: 70 });
    expect(engine.child.exitCode).toBeNull();
    expect(await engine.stop()).toBe(0);
  });
});
