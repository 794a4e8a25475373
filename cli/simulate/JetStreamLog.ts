import type { NatsConnection } from "@nats-io/transport-node";
import { Subjects } from "../../connectors/nats/subjects.js";
import { readStream } from "../../connectors/nats/readStream.js";
import { CHANNELS, decodePayload, decodeStored, Rejection, type RequestDecisionRecord } from "../../engine/index.js";
import { loggedDecision, type LogEntry, type LoggedDecision, type LogSource } from "./StrategyLog.js";

/** A JetStream range: `jetstream:<events stream>[:<from seq>-<to seq>]`. */
export interface JetStreamRange {
  readonly eventStream: string;
  readonly fromSeq: number;
  readonly toSeq: number;
}

type DecisionEntry = Extract<LogEntry, { kind: "decision" }>;

const RANGE = /^jetstream:([A-Za-z0-9_-]+)(?::(\d+)-(\d+))?$/;

/** The range a `--events` value names, null when it names a file; a RangeError when it is a malformed range. */
export function parseJetStreamRange(text: string): JetStreamRange | null {
  if (!text.startsWith("jetstream:")) return null;
  const match = RANGE.exec(text);
  if (match === null) throw new RangeError(`"${text}" is no JetStream range; write jetstream:STREAM or jetstream:STREAM:FROM-TO (stream sequences)`);
  const fromSeq = match[2] === undefined ? 1 : Number(match[2]);
  const toSeq = match[3] === undefined ? Number.MAX_SAFE_INTEGER : Number(match[3]);
  if (fromSeq < 1 || toSeq < fromSeq) throw new RangeError(`"${text}": the range must run from sequence 1 or later up to a sequence not below it`);
  return { eventStream: match[1]!, fromSeq, toSeq };
}

/**
 * A log read from the engine's own streams: the interactions of a sequence range of the
 * events stream, the decisions the engine's triggers made on them (`cx.decisions.>`),
 * and the decisions it made on request in their time span (its request-decision log,
 * `cx.decision-log.>`, which carries each one's probability), both from the decisions
 * stream. Read into memory first, then given out in the order the engine saw them: a
 * trigger's decision after its event, a request's decision before the first event past
 * the event time it was made at.
 */
export class JetStreamLog implements LogSource {
  readonly name: string;
  /** Entries read, the total of a progress display. */
  readonly size: number;
  /** Entries given out so far. */
  given = 0;
  readonly #events: readonly LogEntry[];
  readonly #triggered: ReadonlyMap<string, readonly LogEntry[]>;
  readonly #requests: readonly DecisionEntry[];

  private constructor(name: string, events: LogEntry[], triggered: Map<string, LogEntry[]>, requests: DecisionEntry[]) {
    this.name = name;
    this.#events = events;
    this.#triggered = triggered;
    this.#requests = requests;
    let decisions = requests.length;
    for (const entries of triggered.values()) decisions += entries.length;
    this.size = events.length + decisions;
  }

  static async read(nc: NatsConnection, range: JetStreamRange, decisionStream: string, maxPayloadBytes: number): Promise<JetStreamLog> {
    const events: LogEntry[] = [];
    const eventIds = new Set<string>();
    let firstTs = Number.POSITIVE_INFINITY;
    let lastTs = Number.NEGATIVE_INFINITY;
    await readStream(nc, range.eventStream, { fromSeq: range.fromSeq }, (message) => {
      if (message.seq > range.toSeq) return;
      const decoded = decodePayload(message.data, maxPayloadBytes);
      if (decoded instanceof Rejection) {
        events.push({ kind: "skipped", position: message.seq, why: `stream sequence ${message.seq}: ${decoded.message}` });
        return;
      }
      events.push({ kind: "event", event: decoded });
      if (typeof decoded.id === "string") eventIds.add(decoded.id);
      if (typeof decoded.ts === "number") {
        firstTs = Math.min(firstTs, decoded.ts);
        lastTs = Math.max(lastTs, decoded.ts);
      }
    });

    const triggered = new Map<string, LogEntry[]>();
    await readStream(nc, decisionStream, { filter: Subjects.decisionsAll }, (message) => {
      const decision = loggedDecision(decodeStored(message.data) as Record<string, unknown>);
      if (typeof decision === "string" || decision.source !== "trigger" || !eventIds.has(decision.eventId)) return;
      const entries = triggered.get(decision.eventId) ?? [];
      entries.push({ kind: "decision", decision });
      triggered.set(decision.eventId, entries);
    });

    const requests: { sequence: number; entry: DecisionEntry }[] = [];
    await readStream(nc, decisionStream, { filter: Subjects.decisionLogAll }, (message) => {
      const record = decodeStored(message.data) as RequestDecisionRecord;
      if (record.actionId === "" || record.probability === undefined || record.ts < firstTs || record.ts > lastTs) return;
      const decision: LoggedDecision = {
        decisionId: record.decisionId,
        customerId: record.customerId,
        channel: CHANNELS[record.channelIndex]!,
        source: "request",
        eventId: "",
        ts: record.ts,
        actionId: record.actionId,
        probability: record.probability,
      };
      requests.push({ sequence: record.sequence, entry: { kind: "decision", decision } });
    });
    requests.sort((a, b) => a.sequence - b.sequence);

    const to = range.toSeq === Number.MAX_SAFE_INTEGER ? "" : `-${range.toSeq}`;
    const name = `${range.eventStream}[${range.fromSeq}${to === "" ? "-" : to}] with ${decisionStream}`;
    return new JetStreamLog(name, events, triggered, requests.map((request) => request.entry));
  }

  async *entries(): AsyncGenerator<LogEntry> {
    const requests = this.#requests;
    let next = 0;
    let handed = 0;
    for (const entry of this.#events) {
      if (entry.kind === "event") {
        const ts = entry.event.ts as number;
        while (next < requests.length && requests[next]!.decision.ts < ts) yield this.#give(requests[next++]!);
        yield this.#give(entry);
        for (const decision of this.#triggered.get(entry.event.id as string) ?? []) yield this.#give(decision);
      } else yield this.#give(entry);
      // Let a progress display draw now and then.
      if (++handed % 1024 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    while (next < requests.length) yield this.#give(requests[next++]!);
  }

  #give(entry: LogEntry): LogEntry {
    this.given++;
    return entry;
  }
}
