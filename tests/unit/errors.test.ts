import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MALFORMED_INPUTS } from "../../simulator/malformedInputs.js";
import { Rng } from "../../simulator/Rng.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import {
  ConfigErrorCodes,
  INPUT_ERROR_CODES,
  InputErrorCodes,
  IngestResult,
  ServiceErrorCodes,
} from "../../engine/index.js";
import { anEvent, EngineDriver, T0 } from "../helpers/EngineDriver.js";

/** A small store: lru-cache preallocates for maxCustomers, and the default (1M) costs ~100 ms per engine. */
const SMALL = { settings: { maxCustomers: 1_000 } } as const;

const ERRORS_DOC = fileURLToPath(new URL("../../docs/errors.md", import.meta.url));

/** The codes in the first column of the table under each `## <heading>` of docs/errors.md. */
function documentedCodes(markdown: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of markdown.split("\n")) {
    const heading = /^## (.+)$/.exec(line);
    if (heading !== null) {
      current = [];
      sections.set(heading[1]!.trim(), current);
      continue;
    }
    const row = /^\|\s*`([a-z0-9_]+)`\s*\|/.exec(line);
    if (row !== null && current !== undefined) current.push(row[1]!);
  }
  return sections;
}

const FAMILIES = {
  "Input errors": Object.values(InputErrorCodes),
  "Configuration errors": Object.values(ConfigErrorCodes),
  "Service errors": Object.values(ServiceErrorCodes),
} as const;

describe("the error catalogue", () => {
  const doc = readFileSync(ERRORS_DOC, "utf8");
  const documented = documentedCodes(doc);

  it.each(Object.entries(FAMILIES))("docs/errors.md lists exactly the %s in engine/errors.ts", (family, codes) => {
    const listed = documented.get(family);
    expect(listed, `docs/errors.md needs a "## ${family}" section with a table`).toBeDefined();
    expect([...listed!].sort()).toEqual([...codes].sort());
    expect(new Set(listed).size, `a code is listed twice under ${family}`).toBe(listed!.length);
  });

  it("documents no code outside the three families", () => {
    const all = [...documented.values()].flat().sort();
    expect(all).toEqual(Object.values(FAMILIES).flat().sort());
  });

  it("uses each code in only one family", () => {
    const all = Object.values(FAMILIES).flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it("keeps codes DLQ-subject and label safe: lower-case words joined by underscores", () => {
    for (const code of Object.values(FAMILIES).flat()) expect(code).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
  });

  it("lists input codes in INPUT_ERROR_CODES in declaration order", () => {
    expect(INPUT_ERROR_CODES).toEqual(Object.values(InputErrorCodes));
  });

  it("says where rejected input goes", () => {
    expect(doc).toContain("cx.dlq.<code>");
    expect(doc).toContain("cx_events_rejected_total{code}");
  });
});

describe("malformed inputs through the engine", () => {
  it("covers every input error code", () => {
    expect(new Set(MALFORMED_INPUTS.map((m) => m.code))).toEqual(new Set(INPUT_ERROR_CODES));
  });

  it.each(MALFORMED_INPUTS.map((m) => [m.kind, m] as const))("rejects %s with exactly its code and leaves state unchanged", (_kind, malformed) => {
    const driver = new EngineDriver(SMALL);
    driver.send(anEvent("purchase", { id: "ok-1", customerId: "C1", ts: T0 - 1000 }));
    const before = driver.engine.profile("C1");
    const decisionsBefore = driver.decisions.length;

    const base = anEvent("purchase", { id: "bad-1", customerId: "C1", ts: T0, amount: 55 });
    for (let seed = 1; seed <= 5; seed++) {
      const { data, subject } = malformed.make(base, new Rng(seed));
      const result = driver.send(data, { subject: subject ?? Subjects.event(base.channel, base.customerId) });
      expect(result, `seed ${seed}`).toBe(IngestResult.Rejected);
      const rejected = driver.rejected.at(-1)!;
      expect(rejected.code, `seed ${seed}: ${rejected.message}`).toBe(malformed.code);
      expect(rejected.bytes).toBe(data);
      expect(rejected.message.length).toBeGreaterThan(0);
    }
    expect(driver.rejected).toHaveLength(5);
    expect(driver.engine.stats.rejectedCount(malformed.code)).toBe(5);
    expect(driver.engine.profile("C1")).toEqual(before);
    expect(driver.decisions).toHaveLength(decisionsBefore);
    expect(driver.engine.customersInMemory).toBe(1);
  });
});
