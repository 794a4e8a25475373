import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportReport } from "../../cli/import/ImportSummary.js";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { loadConfig } from "../../config/loadConfig.js";
import { InputErrorCodes, SUPPRESSION_REASONS } from "../../engine/index.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain } from "../helpers/plainMsgpack.js";
import { runCxpulse } from "../helpers/runCxpulse.js";
import { startEngine } from "../helpers/startEngine.js";
import { writeTestConfig } from "../helpers/testConfig.js";
import { waitFor } from "../helpers/waitFor.js";

const STREAM = "CX_EVENTS";
const GOOD_ROWS = 1_000;
const CUSTOMERS = 40;
const MINUTE_MS = 60_000;
/** Event times: one a minute, starting three days ago, in file order. */
const START_TS = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 3 * 86_400_000;

const HEADER = "customer_no,purchased_at,total,kind,product,category,store_id";
const amountOf = (i: number) => (i % 50) + 1.5;

interface PurchasesFile {
  readonly text: string;
  /** The file line of each bad row, by the code it must be rejected with. */
  readonly badLines: ReadonlyMap<string, number[]>;
}

/**
 * 1,000 good purchases (event times alternately ISO-8601 and epoch ms) with five bad
 * rows among them: an unknown type, a missing customer id, a non-numeric amount, a
 * time that is no time, and a broken quote.
 */
function purchasesFile(): PurchasesFile {
  const lines = [HEADER];
  const badLines = new Map<string, number[]>();
  const bad = (code: string, line: string) => {
    lines.push(line);
    badLines.set(code, [...(badLines.get(code) ?? []), lines.length]);
  };
  const iso = new Date(START_TS).toISOString();
  for (let i = 0; i < GOOD_ROWS; i++) {
    const ts = START_TS + i * MINUTE_MS;
    const when = i % 2 === 0 ? new Date(ts).toISOString() : String(ts);
    lines.push(`cust-${i % CUSTOMERS},${when},${amountOf(i).toFixed(2)},purchase,sku-${i % 7},cat-${i % 3},S${i % 5}`);
    if (i === 99) bad(InputErrorCodes.UnknownEventType, `cust-1,${iso},5.00,teleport,sku-1,cat-1,S1`);
    if (i === 299) bad(InputErrorCodes.MissingField, `,${iso},5.00,purchase,sku-1,cat-1,S1`);
    if (i === 499) bad(InputErrorCodes.WrongType, `cust-2,${iso},abc,purchase,sku-1,cat-1,S1`);
    if (i === 699) bad(InputErrorCodes.WrongType, `cust-2,yesterday,5.00,purchase,sku-1,cat-1,S1`);
    if (i === 899) bad("malformed_csv", `cust-3,${iso},5.00,purchase,"Widget 12" Pro,cat-1,S1`);
  }
  return { text: `${lines.join("\n")}\n`, badLines };
}

describe("cxpulse import into a real JetStream stream", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let dir: string;
  let configFile: string;
  let csvFile: string;
  let purchases: PurchasesFile;
  let runtime: EngineRuntime | undefined;

  const storedMessages = async () => (await jsm.streams.info(STREAM)).state.messages;
  const importCsv = (...extra: string[]) => runCxpulse(["import", "--file", csvFile, "--config", configFile, ...extra]);

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
    dir = mkdtempSync(join(tmpdir(), "cxpulse-import-test-"));
    configFile = writeTestConfig(dir, {
      "nats.url": nats.url,
      "import.columns": { customerId: "customer_no", ts: "purchased_at", amount: "total", type: "kind", attrs: { store: "store_id" } },
      "import.constants": { channel: "pos" },
    });
    purchases = purchasesFile();
    csvFile = join(dir, "purchases.csv");
    writeFileSync(csvFile, purchases.text);
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("publishes every good row, acknowledged, and reports each bad row by code with its line", async () => {
    const result = await importCsv("--json");
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as ImportReport;
    expect(report).toMatchObject({ format: "csv", stream: STREAM, dryRun: false, rowsRead: GOOD_ROWS + 5, accepted: GOOD_ROWS, published: GOOD_ROWS, rejected: 5 });
    expect(Object.fromEntries(Object.entries(report.rejectedByCode).map(([code, rows]) => [code, rows.examples.map((example) => example.line)]))).toEqual(
      Object.fromEntries(purchases.badLines),
    );
    expect(report.rejectedByCode[InputErrorCodes.UnknownEventType]!.examples[0]!.message).toContain("unknown event type");
    expect(report.rejectedByCode[InputErrorCodes.MissingField]!.examples[0]!.message).toContain('"customerId"');
    expect(report.rejectedByCode[InputErrorCodes.WrongType]!.examples.map((example) => example.message)).toEqual([
      '"amount" must be a number; column "total" holds "abc"',
      '"ts" must be epoch milliseconds or an ISO-8601 time; column "purchased_at" holds "yesterday"',
    ]);
    expect(report.rejectedByCode.malformed_csv!.examples[0]!.message).toContain("not readable as CSV");
    expect(report.unusedColumns).toEqual([]);
    expect(report.rowsPerSecond).toBeGreaterThan(0);
  });

  it("leaves exactly the good rows in the stream, in file order, as plain MessagePack on cx.events.<channel>.<customerId>", async () => {
    expect(await storedMessages()).toBe(GOOD_ROWS);
    const first = (await jsm.streams.getMessage(STREAM, { seq: 1 }))!;
    expect(first.subject).toBe("cx.events.pos.cust-0");
    expect(first.header.get("Nats-Msg-Id")).toMatch(/^cxpulse-import:[0-9a-f]{32}:2$/);
    // Decoded by an independent MessagePack implementation; ts must come as a 64-bit integer.
    const event = decodePlain(first.data, { bigints: true }) as Record<string, unknown>;
    expect(event).toEqual({
      id: expect.stringMatching(/^imp-[0-9a-f]{16}-2$/),
      customerId: "cust-0",
      type: "purchase",
      channel: "pos",
      ts: BigInt(START_TS),
      amount: 1.5,
      product: "sku-0",
      category: "cat-0",
      attrs: { store: "S0" },
    });
    const last = decodePlain((await jsm.streams.getMessage(STREAM, { seq: GOOD_ROWS }))!.data) as Record<string, unknown>;
    expect(last).toMatchObject({ customerId: `cust-${(GOOD_ROWS - 1) % CUSTOMERS}`, ts: START_TS + (GOOD_ROWS - 1) * MINUTE_MS });
  });

  it("run again on the same file, stores nothing twice (the stream drops the repeated message ids)", async () => {
    const result = await importCsv();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`accepted   1,000  (published and stored: 1,000)`);
    expect(result.stdout).toMatch(/rejected\s+5/);
    expect(await storedMessages()).toBe(GOOD_ROWS);
  });

  it("imports NDJSON whose fields are the event fields, without a mapping, rejecting lines that are not JSON objects", async () => {
    const ts = START_TS + GOOD_ROWS * MINUTE_MS;
    const event = (i: number, fields: Record<string, unknown>) => JSON.stringify({ id: `nd-${i}`, customerId: "nd-1", channel: "web", ts: ts + i * MINUTE_MS, ...fields });
    const ndjsonFile = join(dir, "history.ndjson");
    writeFileSync(
      ndjsonFile,
      [
        event(1, { type: "signup", plan: "basic" }),
        event(2, { type: "purchase", amount: 20, product: "sku-1", category: "cat-1" }),
        '{"id": "nd-x", broken',
        event(3, { type: "purchase", amount: "30.5", product: "sku-2", category: "cat-1" }),
        "[1, 2, 3]",
        event(4, { type: "survey", survey: "nps", score: 9 }),
      ].join("\n"),
    );
    const result = await runCxpulse(["import", "--file", ndjsonFile, "--nats-url", nats.url, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ImportReport;
    expect(report).toMatchObject({ format: "ndjson", rowsRead: 6, accepted: 4, published: 4, rejected: 2 });
    expect(Object.keys(report.rejectedByCode).sort()).toEqual([InputErrorCodes.MalformedJson, InputErrorCodes.NotAnObject]);
    expect(report.rejectedByCode[InputErrorCodes.MalformedJson]!.examples[0]!.line).toBe(3);
    expect(await storedMessages()).toBe(GOOD_ROWS + 4);
  });

  it("--dry-run checks a file and reports, publishing nothing", async () => {
    const other = join(dir, "other.csv");
    writeFileSync(other, `${HEADER}\ncust-99,${new Date(START_TS).toISOString()},9.00,purchase,sku-9,cat-9,S9\ncust-99,now,1,purchase,a,b,c\n`);
    const result = await runCxpulse(["import", "--file", other, "--config", configFile, "--dry-run", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ dryRun: true, rowsRead: 2, accepted: 1, published: 0, rejected: 1 });
    expect(await storedMessages()).toBe(GOOD_ROWS + 4);
  });

  it("exits 2 naming the configuration line when a configured column is not in the file, publishing nothing", async () => {
    const wrongColumn = writeTestConfig(dir, { "nats.url": nats.url, "import.columns": { customerId: "customer_number" } }, "wrong-column.yaml");
    const result = await runCxpulse(["import", "--file", csvFile, "--config", wrongColumn]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(new RegExp(`${wrongColumn.replaceAll(".", "\\.")}:\\d+:\\d+ import\\.columns\\.customerId: column "customer_number" is not in the header`));
    expect(result.stderr).toContain("[config_invalid]");
    expect(await storedMessages()).toBe(GOOD_ROWS + 4);
  });

  it("gives an engine started on the stream the imported customers' history, firing no trigger on it with engine.triggerMaxAge", async () => {
    const engineConfig = writeTestConfig(dir, { "nats.url": nats.url, "engine.triggerMaxAge": "1d" }, "engine.yaml");
    runtime = await startEngine(nats.url, loadConfig(engineConfig));
    const lastSeq = (await jsm.streams.info(STREAM)).state.last_seq;
    await waitFor(() => runtime!.engine.stats.lastSeq >= lastSeq, "the engine to apply the imported events", 20_000);
    const rows = Array.from({ length: GOOD_ROWS }, (_, i) => i).filter((i) => i % CUSTOMERS === 3);
    const profile = runtime.engine.profile("cust-3")!;
    expect(profile.behaviour.purchases).toBe(rows.length);
    expect(profile.behaviour.revenue).toBeCloseTo(rows.reduce((sum, i) => sum + amountOf(i), 0), 6);
    expect(profile.lifecycle.firstSeen).toBe(START_TS + 3 * MINUTE_MS);
    const ndjsonCustomer = runtime.engine.profile("nd-1")!;
    expect(ndjsonCustomer.behaviour.purchases).toBe(2);
    expect(ndjsonCustomer.behaviour.revenue).toBe(50.5);
    expect(ndjsonCustomer.attitude.nps.last).toBe(9);
    expect(ndjsonCustomer.lifecycle.plan).toBe("basic");
    // The history is days old when imported: the welcome for nd-1's signup is suppressed as stale, not sent.
    expect(runtime.engine.stats.totalDecisions()).toBe(0);
    expect(runtime.engine.stats.suppressed.get("welcome")?.[SUPPRESSION_REASONS.indexOf("stale")]).toBe(1);
  });
});
