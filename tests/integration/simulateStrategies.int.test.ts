import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/loadConfig.js";
import { simulateStrategies, type SimulationResult, type StrategyResult } from "../../cli/simulate/simulateStrategies.js";
import { logFormatOf, StrategyLog } from "../../cli/simulate/StrategyLog.js";
import { encodeOutbound } from "../../engine/index.js";
import { runCxpulse } from "../helpers/runCxpulse.js";
import { STRATEGIES, writeStrategyLog, type SyntheticLog } from "../helpers/strategyLog.js";

const WEEK = 7 * 86_400_000;
const dir = mkdtempSync(join(tmpdir(), "cxpulse-strategies-"));
const LOG = join(dir, "log.ndjson");
const names = Object.keys(STRATEGIES) as (keyof typeof STRATEGIES)[];

let log: SyntheticLog;
let result: SimulationResult;
const of = (name: string): StrategyResult => result.strategies.find((s) => s.strategy === name)!;

beforeAll(async () => {
  log = writeStrategyLog(LOG, { customers: 600, rounds: 5, seed: 7 });
  const specs = names.map((name) => ({ name, config: parseConfig(STRATEGIES[name], `${name}.yaml`) }));
  result = await simulateStrategies(new StrategyLog(LOG, "ndjson"), specs, WEEK);
}, 120_000);

describe("cxpulse simulate-strategies on a synthetic log whose true response model is known", () => {
  it("replays every event and compares every logged decision", () => {
    expect(result.moments).toBe(log.moments);
    expect(log.rejected).toBe(0);
    expect(result.events).toBe(600 + 2 * log.moments);
    expect(result.rejectedEvents).toBe(0);
    expect(result.customers).toBe(600);
    expect(result.explored).toBe(true);
    expect(result.skipped.count).toBe(0);
    for (const name of names) expect(of(name).customersLost).toBe(0);
  });

  it("ranks the better-targeted strategy above the logging policy's ranking and that above the worse one, by IPS and by DR", () => {
    for (const estimate of ["ipsResponses", "drResponses", "ipsRevenue", "drRevenue"] as const) {
      expect(of("good")[estimate].total).toBeGreaterThan(of("greedy")[estimate].total);
      expect(of("greedy")[estimate].total).toBeGreaterThan(of("bad")[estimate].total);
    }
  });

  it("estimates each strategy's true expected responses and revenue within its stated interval", () => {
    for (const name of names) {
      const s = of(name);
      const truth = log.truth[name];
      process.stderr.write(
        `${name}: responses true ${truth.responses.toFixed(1)}, IPS ${s.ipsResponses.total.toFixed(1)} ± ${s.ipsResponses.halfWidth95.toFixed(1)}, DR ${s.drResponses.total.toFixed(1)} ± ${s.drResponses.halfWidth95.toFixed(1)}; ` +
          `revenue true ${truth.revenue.toFixed(0)}, IPS ${s.ipsRevenue.total.toFixed(0)}, DR ${s.drRevenue.total.toFixed(0)}\n`,
      );
      expect(Math.abs(s.ipsResponses.total - truth.responses)).toBeLessThan(s.ipsResponses.halfWidth95);
      expect(Math.abs(s.drResponses.total - truth.responses)).toBeLessThan(s.drResponses.halfWidth95);
      expect(Math.abs(s.ipsRevenue.total - truth.revenue)).toBeLessThan(s.ipsRevenue.halfWidth95);
      expect(Math.abs(s.drRevenue.total - truth.revenue)).toBeLessThan(s.drRevenue.halfWidth95);
      // The reward model (the customer's region is one of its features) narrows the interval.
      expect(s.drResponses.halfWidth95).toBeLessThan(s.ipsResponses.halfWidth95);
    }
  });

  it("reports what each strategy does: its decisions, contacts per customer, agreement with the log and decide latency", () => {
    for (const name of names) {
      const s = of(name);
      expect(s.decisions).toBe(log.moments); // one answer per logged request, no triggers
      expect(s.contactsPerCustomer).toBeCloseTo(5, 10);
      expect(s.policyPressure).toBe(0);
      expect(s.unsupported).toBe(0);
      expect(s.decideMicros.p50).toBeGreaterThan(0);
      expect(s.decideMicros.p99).toBeGreaterThanOrEqual(s.decideMicros.p50);
    }
    // The logging policy chose north-offer with probability 0.75 everywhere: the greedy ranking agrees about 3 times in 4.
    expect(of("greedy").matched / log.moments).toBeGreaterThan(0.7);
    expect(of("greedy").matched / log.moments).toBeLessThan(0.8);
    expect(of("good").matched + of("bad").matched).toBe(log.moments);
    expect(result.logged.responses).toBeGreaterThan(0);
  });
});

describe("a MessagePack log", () => {
  it("gives the same comparison as the same log in NDJSON", async () => {
    const packed = join(dir, "log.msgpack");
    const entries = readFileSync(LOG, "utf8").trim().split("\n").map((line) => encodeOutbound(JSON.parse(line)));
    writeFileSync(packed, Buffer.concat(entries));
    expect(logFormatOf(packed, undefined)).toBe("msgpack");
    const specs = names.map((name) => ({ name, config: parseConfig(STRATEGIES[name], `${name}.yaml`) }));
    const fromMsgpack = await simulateStrategies(new StrategyLog(packed, "msgpack"), specs, WEEK);
    expect(fromMsgpack.moments).toBe(result.moments);
    expect(fromMsgpack.events).toBe(result.events);
    expect(fromMsgpack.strategies.map((s) => [s.strategy, s.matched, s.ipsResponses.total])).toEqual(result.strategies.map((s) => [s.strategy, s.matched, s.ipsResponses.total]));
  });
});

describe("a strategy's contact policy in the replay", () => {
  it("caps the strategy's own contacts and counts what its policy held back", async () => {
    const capped = `${STRATEGIES.greedy}contactPolicy:\n  caps:\n    - { channel: web, max: 2, window: 7d }\n`;
    const replayed = await simulateStrategies(new StrategyLog(LOG, "ndjson"), [{ name: "capped", config: parseConfig(capped, "capped.yaml") }], WEEK);
    const s = replayed.strategies[0]!;
    // Two offers a customer in the week, then both candidates held at each of the three later requests: 6 held of 10 that reached the policy.
    expect(s.decisions).toBe(2 * 600);
    expect(s.contactsPerCustomer).toBeCloseTo(2, 10);
    expect(s.policyPressure).toBeCloseTo(0.6, 10);
    expect(s.drResponses.total).toBeLessThan(of("greedy").drResponses.total);
  });
});

describe("the simulate-strategies command", () => {
  it("prints the comparison table, and with --json one object with the same figures", async () => {
    const files = names.map((name) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, STRATEGIES[name]);
      return file;
    });
    const args = ["simulate-strategies", "--events", LOG, ...files.flatMap((file) => ["--strategy", file])];
    const table = await runCxpulse(args, { timeoutMs: 120_000 });
    expect(table.stderr).toBe("");
    expect(table.code).toBe(0);
    const rows = table.stdout.split("\n").filter((line) => /^\s+\d+\s+(good|bad|greedy)\s/.test(line));
    expect(rows.map((line) => line.trim().split(/\s+/)[1])).toEqual(["good", "greedy", "bad"]);
    expect(table.stdout).toContain(`${log.moments.toLocaleString("en-US")} logged decisions compared`);

    const json = await runCxpulse([...args, "--json"], { timeoutMs: 120_000 });
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as SimulationResult;
    expect(parsed.strategies.map((s) => [s.strategy, s.drResponses.total])).toEqual(result.strategies.map((s) => [s.strategy, s.drResponses.total]));
  }, 240_000);

  it("says what is wrong with its arguments and with bad log entries", async () => {
    const missing = await runCxpulse(["simulate-strategies", "--strategy", "x.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--events is required");
    const noStrategy = await runCxpulse(["simulate-strategies", "--events", LOG]);
    expect(noStrategy.code).toBe(2);
    expect(noStrategy.stderr).toContain("give at least one --strategy");
    const badWindow = await runCxpulse(["simulate-strategies", "--events", LOG, "--strategy", join(dir, "good.yaml"), "--response-window", "soon"]);
    expect(badWindow.code).toBe(2);
    expect(badWindow.stderr).toContain('--response-window must be a duration such as 7d or 12h, got "soon"');

    const messy = join(dir, "messy.ndjson");
    writeFileSync(
      messy,
      [
        "{not json",
        "[1, 2]",
        JSON.stringify({ id: "x1", type: "teleport", customerId: "A", channel: "web", ts: 1 }),
        JSON.stringify({ decisionId: "A:q", customerId: "A", channel: "web", source: "request", ts: 5, actions: [{ actionId: "north-offer" }] }),
        JSON.stringify({ decisionId: "A:w", customerId: "A", channel: "web", source: "withdrawal", ts: 5, actions: [] }),
      ].join("\n"),
    );
    const messyResult = await simulateStrategies(new StrategyLog(messy, "ndjson"), [{ name: "good", config: parseConfig(STRATEGIES.good, "good.yaml") }], WEEK);
    expect(messyResult.events).toBe(1);
    expect(messyResult.rejectedEvents).toBe(1);
    expect(messyResult.moments).toBe(0);
    expect(messyResult.skipped.count).toBe(4);
    expect(messyResult.skipped.examples).toEqual([
      expect.stringMatching(/^entry 1: not JSON: /),
      "entry 2: not an object",
      "entry 4: decision A:q has no probability in (0, 1]; it cannot be weighed",
      "entry 5: a withdrawal, not a decision to compare",
    ]);
  });
});
