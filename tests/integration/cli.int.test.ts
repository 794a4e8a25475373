import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../engine/index.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI from source (`node --import tsx cli/main.ts ...`) and collects its output. */
function cxpulse(args: readonly string[], timeoutMs = 30_000, onStarted?: (child: ChildProcess) => void): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env = { ...process.env };
    delete env.NATS_URL;
    delete env.CXPULSE_HTTP_PORT;
    const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`cxpulse ${args.join(" ")} did not exit in ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once("error", reject);
    onStarted?.(child);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

describe("the cxpulse command line", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cxpulse-cli-test-"));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("demo --json runs NATS, engine, simulator and decide load, prints one JSON summary as its last stdout line and exits 0", async () => {
    const started = Date.now();
    const result = await cxpulse(["demo", "--duration", "6", "--json", "--rate", "1000"], 50_000);
    expect(result.signal, result.stderr).toBeNull();
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    // With --json, stdout holds the summary only; the live view goes to stderr.
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(summary).toEqual(expect.objectContaining({ configVersion: "default-2026-11" }));
    expect(summary.events).toBeGreaterThan(1_000);
    expect(summary.published).toBeGreaterThanOrEqual(summary.events as number);
    expect(summary.decisions).toBeGreaterThan(0);
    expect(summary.triggeredDecisions).toBeGreaterThan(0);
    expect(summary.dlq).toBeGreaterThanOrEqual(0);
    expect(summary.customers).toBeGreaterThan(0);
    expect(summary.decideRequests).toBeGreaterThan(0);
    expect(summary.decideErrors).toBe(0);
    expect(summary.consumerLag).toBe(0);
    // The business headline: plausible for simulated traffic, and moving while it ran.
    const business = summary.business as Record<string, number>;
    expect(business.windowDays).toBe(7);
    expect(business.customers).toBeGreaterThan(100);
    expect(business.revenue).toBeGreaterThan(0);
    expect(business.nps).toBeGreaterThanOrEqual(-100);
    expect(business.nps).toBeLessThanOrEqual(100);
    expect(business.csat).toBeGreaterThanOrEqual(1);
    expect(business.csat).toBeLessThanOrEqual(5);
    const headlines = [...result.stderr.matchAll(/business 7d: base (\d+) .* revenue (-?\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(headlines.length).toBeGreaterThanOrEqual(1);
    expect(headlines[0]![0]).toBeLessThanOrEqual(business.customers);
    expect(business.revenue).toBeGreaterThan(headlines[0]![1]);
    // What the engine learned: segment sizes, and models with labels.
    const knowledge = summary.knowledge as { segments: Record<string, number>; models: { model: string; labels: number }[] };
    expect(Object.keys(knowledge.segments)).toContain("high-value");
    expect(Object.values(knowledge.segments).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(knowledge.models).toEqual([]); // the models are off in the default configuration
    expect(result.stderr).toMatch(/segments: high-value \d+/);
    // The demo cleans up after itself: well within duration + start-up + catch-up.
    expect(Date.now() - started).toBeLessThan(40_000);
  }, 60_000);

  it("demo stops early on SIGINT, still printing its JSON summary and exiting 0", async () => {
    let stderr = "";
    let interrupted = false;
    const result = await cxpulse(["demo", "--duration", "120", "--json", "--rate", "500"], 40_000, (child) => {
      child.stderr!.on("data", (chunk: string) => {
        stderr += chunk;
        // Interrupt once the live view shows the engine has handled events.
        if (!interrupted && /\] events [1-9]/.test(stderr)) {
          interrupted = true;
          child.kill("SIGINT");
        }
      });
    });
    expect(interrupted, result.stderr).toBe(true);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trimEnd().split("\n").at(-1)!) as Record<string, number>;
    expect(summary.durationSeconds).toBeLessThan(30);
    expect(summary.events).toBeGreaterThan(0);
    expect(summary.consumerLag).toBe(0);
  }, 60_000);

  it("check-config accepts the default configuration", async () => {
    const result = await cxpulse(["check-config"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/default\.yaml: valid \(version default-2026-11; 9 actions, 6 triggers/);
  });

  const badConfigs: readonly { what: string; yaml: string; line: number; code: string }[] = [
    { what: "an unknown key", yaml: "version: t\nengine:\n  maxCustomerz: 5\n", line: 3, code: "config_invalid" },
    { what: "a value of the wrong type", yaml: "version: t\nengine:\n  maxCustomers: many\n", line: 3, code: "config_invalid" },
    {
      what: "a rule with a syntax error",
      yaml: "version: t\nactions:\n  - id: a\n    kind: offer\n    channels: [web]\n    value: 1\n    eligibility: revenue30d >= and plan\ntriggers: []\n",
      line: 7,
      code: "rule_syntax",
    },
    { what: "broken YAML", yaml: "version: t\nlog:\n  level: [info\nengine: {}\n", line: 4, code: "config_syntax" },
  ];

  for (const bad of badConfigs) {
    it(`check-config exits non-zero on ${bad.what}, naming file and line on stderr`, async () => {
      const file = join(dir, `${bad.code}-${bad.line}-${bad.what.length}.yaml`);
      writeFileSync(file, bad.yaml);
      const result = await cxpulse(["check-config", "--config", file]);
      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`${file}:${bad.line}:`);
      expect(result.stderr).toContain(`[${bad.code}]`);
    });
  }

  it("schema prints the JSON Schema of inbound events: a oneOf over every event type", async () => {
    const result = await cxpulse(["schema"]);
    expect(result.code, result.stderr).toBe(0);
    const schema = JSON.parse(result.stdout) as { oneOf: { $ref: string }[]; definitions: Record<string, { properties: Record<string, unknown>; required: string[] }> };
    expect(schema.oneOf.map((entry) => entry.$ref)).toEqual(EVENT_TYPES.map((type) => `#/definitions/${type}`));
    expect(Object.keys(schema.definitions).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      expect(schema.definitions[type]!.required).toEqual(expect.arrayContaining(["id", "customerId", "type", "channel", "ts"]));
    }
  });

  it("an unknown command exits 2 with the list of commands", async () => {
    const result = await cxpulse(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    for (const command of ["start", "simulate", "demo", "check-config", "schema"]) expect(result.stderr).toContain(command);
  });
});
