import type { NatsConnection } from "@nats-io/transport-node";
import type { CxConfig } from "../../config/loadConfig.js";
import { CheckpointStore, type CommitMarker } from "../../connectors/nats/CheckpointStore.js";
import { readStream } from "../../connectors/nats/readStream.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { SCALAR_FIELDS } from "../../engine/checkpoint/CustomerSnapshot.js";
import { compileDecisionConfig, decodeStored, Engine, ManualClock, type EngineSettings } from "../../engine/index.js";

/** What an engine leaves behind: every customer's state and its counters, as committed. */
export interface DurableOutcome {
  readonly customers: Map<string, unknown>;
  readonly stats: unknown;
  /** The business metrics' part of the checkpoint (daily ring and running totals). */
  readonly business: unknown;
  readonly watermark: number;
  readonly seq: number;
}

/** Reads the last committed checkpoint of a stopped engine from its server. */
export async function readCommittedState(nc: NatsConnection, config: CxConfig): Promise<DurableOutcome> {
  const store = await CheckpointStore.open(nc, { ...config.checkpoint, replicas: 1 });
  const marker: CommitMarker | null = await store.readCommit();
  if (marker === null) throw new Error("no checkpoint was committed");
  const customers = new Map<string, unknown>();
  await store.recover(marker, ({ customerId, encoded }) => customers.set(customerId, readableCustomer(encoded)));
  return { customers, stats: marker.engine.stats, business: marker.engine.business, watermark: marker.engine.watermark, seq: marker.engine.seq };
}

/** The decision ids stored in the decision stream, in order (repeats included, if any). */
export async function readStoredDecisionIds(nc: NatsConnection, config: CxConfig): Promise<string[]> {
  const ids: string[] = [];
  await readStream(nc, config.nats.decisionStream.name, { filter: Subjects.decisionsAll }, (message) => {
    ids.push((decodeStored(message.data) as { decisionId: string }).decisionId);
  });
  return ids;
}

/** A message as it sits in the event stream. */
export interface StreamMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
}

/** Every message of the event stream, in order: the ground truth an engine must have folded. */
export async function readEventStream(nc: NatsConnection, config: CxConfig): Promise<StreamMessage[]> {
  const messages: StreamMessage[] = [];
  await readStream(nc, config.nats.stream.name, {}, (message) => {
    messages.push({ seq: message.seq, subject: message.subject, data: message.data });
  });
  return messages;
}

/**
 * The run that was never interrupted: the pure engine, same settings and rules, over
 * the same messages in the same order, with nothing in between.
 */
export function referenceRun(
  config: CxConfig,
  messages: readonly StreamMessage[],
  settings: Partial<EngineSettings> = {},
): DurableOutcome & { decisionIds: string[]; rejected: number } {
  const decisionIds: string[] = [];
  let rejected = 0;
  const engine = new Engine({
    settings: { ...config.engine, maxCustomers: 10_000_000, ...settings },
    decisions: compileDecisionConfig(config.decisions, config.locate),
    clock: new ManualClock(Date.now()),
    output: {
      decision: (decision) => decisionIds.push(decision.decisionId),
      rejected: () => rejected++,
      requestDecisionRecorded: () => undefined, segmentChanged: () => undefined,
    },
    eventSubjectPrefix: Subjects.eventsPrefix,
  });
  for (const message of messages) engine.ingest(message.data, message.subject, message.seq);
  const cut = engine.beginCheckpoint();
  const customers = new Map<string, unknown>(
    cut.customerIds.map((customerId) => [customerId, readableCustomer(engine.captureCustomer(cut, customerId))]),
  );
  return { customers, stats: cut.engine.stats, business: cut.engine.business, watermark: cut.engine.watermark, seq: cut.engine.seq, decisionIds, rejected };
}

/**
 * A customer's stored record as plain data, with its scalar fields under their names
 * (the compact format keeps them by position), so differences name the field.
 */
function readableCustomer(encoded: Uint8Array): Record<string, unknown> {
  const { s: scalars, ...rest } = decodeStored(encoded) as { s: unknown[] };
  return { ...rest, ...Object.fromEntries(SCALAR_FIELDS.map((field, i) => [field, scalars[i]])) };
}

/** Differences between two outcomes' customers, first few only, readable in a failure message. */
export function customerDifferences(actual: Map<string, unknown>, expected: Map<string, unknown>, limit = 5): string[] {
  const problems: string[] = [];
  for (const [customerId, state] of expected) {
    if (problems.length >= limit) break;
    const got = actual.get(customerId);
    if (got === undefined) {
      problems.push(`${customerId}: missing`);
      continue;
    }
    const fields = new Set([...Object.keys(state as object), ...Object.keys(got as object)]);
    for (const field of fields) {
      const a = JSON.stringify((got as Record<string, unknown>)[field]);
      const e = JSON.stringify((state as Record<string, unknown>)[field]);
      if (a !== e) problems.push(`${customerId}.${field}: got ${a?.slice(0, 200)}, expected ${e?.slice(0, 200)}`);
    }
  }
  for (const customerId of actual.keys()) {
    if (problems.length >= limit) break;
    if (!expected.has(customerId)) problems.push(`${customerId}: not expected`);
  }
  return problems;
}
