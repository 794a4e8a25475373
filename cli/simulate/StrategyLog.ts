import { createReadStream, type ReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { UnpackrStream } from "msgpackr";
import { CHANNELS, type Channel } from "../../engine/index.js";

/** A decision as the log recorded it: the moment a strategy is compared at. */
export interface LoggedDecision {
  readonly decisionId: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly source: "request" | "trigger";
  /** For a trigger's decision: the event that fired it. */
  readonly eventId: string;
  readonly ts: number;
  /** The action shown first. */
  readonly actionId: string;
  /** The probability it had of being shown first (`Decision.probability`). */
  readonly probability: number;
}

/** One entry of the log: an interaction to replay, a logged decision, or an entry left out and why. */
export type LogEntry =
  | { readonly kind: "event"; readonly event: Readonly<Record<string, unknown>> }
  | { readonly kind: "decision"; readonly decision: LoggedDecision }
  | { readonly kind: "skipped"; readonly position: number; readonly why: string };

/** Where a log comes from: a file (StrategyLog) or a JetStream range (JetStreamLog). */
export interface LogSource {
  /** The file, or the streams and range. */
  readonly name: string;
  entries(): AsyncGenerator<LogEntry>;
}

export type LogFormat = "ndjson" | "msgpack";

export function logFormatOf(file: string, format: string | undefined): LogFormat {
  if (format === "ndjson" || format === "msgpack") return format;
  if (format !== undefined) throw new RangeError(`unknown log format "${format}"; expected ndjson or msgpack`);
  return /\.(msgpack|mpk|msgp)$/i.test(file) ? "msgpack" : "ndjson";
}

/**
 * Reads a recorded log for `cxpulse simulate-strategies`: the interactions the engine
 * took in (the inbound event contract) and the decisions it made (the `Decision`
 * payload, as published on `cx.decisions.*` or returned by `cx.decide.*`), in the order
 * they happened, either one JSON object per line (NDJSON) or MessagePack objects one
 * after another. An object with a `decisionId` and `actions` is a decision, any other
 * an event; the engine judges events as it does on the stream. Decisions without an
 * action (a withdrawal, an empty reply) are no moment to compare at and are skipped.
 */
export class StrategyLog implements LogSource {
  readonly name: string;
  readonly format: LogFormat;
  readonly #source: ReadStream;

  constructor(file: string, format: LogFormat) {
    this.name = file;
    this.format = format;
    this.#source = createReadStream(file);
  }

  get bytesRead(): number {
    return this.#source.bytesRead;
  }

  async *entries(): AsyncGenerator<LogEntry> {
    let position = 0;
    try {
      for await (const value of this.format === "ndjson" ? this.#jsonLines() : this.#msgpackObjects()) {
        position++;
        if (value instanceof SyntaxError) {
          yield { kind: "skipped", position, why: `not JSON: ${value.message}` };
          continue;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          yield { kind: "skipped", position, why: "not an object" };
          continue;
        }
        const record = value as Readonly<Record<string, unknown>>;
        if (!("decisionId" in record && Array.isArray(record.actions))) {
          yield { kind: "event", event: record };
          continue;
        }
        const decision = loggedDecision(record);
        if (typeof decision === "string") yield { kind: "skipped", position, why: decision };
        else yield { kind: "decision", decision };
      }
    } finally {
      this.#source.destroy();
    }
  }

  async *#jsonLines(): AsyncGenerator<unknown> {
    const lines = createInterface({ input: this.#source, crlfDelay: Number.POSITIVE_INFINITY });
    try {
      for await (const line of lines) {
        if (line.trim() === "") continue;
        try {
          yield JSON.parse(line);
        } catch (error) {
          yield error as SyntaxError;
        }
      }
    } finally {
      lines.close();
    }
  }

  async *#msgpackObjects(): AsyncGenerator<unknown> {
    yield* this.#source.pipe(new UnpackrStream({ useRecords: false, mapsAsObjects: true, int64AsType: "number" }));
  }
}

/** The moment a decision payload records, or why it is none. */
export function loggedDecision(record: Readonly<Record<string, unknown>>): LoggedDecision | string {
  const actions = record.actions as readonly Readonly<Record<string, unknown>>[];
  const { decisionId, customerId, channel, source, ts, probability } = record;
  if (source === "withdrawal") return "a withdrawal, not a decision to compare";
  if (actions.length === 0) return `decision ${String(decisionId)} shows no action`;
  if (typeof decisionId !== "string" || typeof customerId !== "string") return "a decision without a decisionId or customerId string";
  if (source !== "request" && source !== "trigger") return `decision ${decisionId} has source ${String(source)}; expected request or trigger`;
  if (typeof channel !== "string" || !(CHANNELS as readonly string[]).includes(channel)) return `decision ${decisionId} names no known channel`;
  if (typeof ts !== "number" || !Number.isFinite(ts)) return `decision ${decisionId} has no numeric ts`;
  const actionId = actions[0]!.actionId;
  if (typeof actionId !== "string") return `decision ${decisionId}: its first action has no actionId`;
  // Logs from before decisions carried a probability: a trigger's action was certain, a request's cannot be weighed.
  const p = typeof probability === "number" ? probability : source === "trigger" ? 1 : Number.NaN;
  if (!(p > 0 && p <= 1)) return `decision ${decisionId} has no probability in (0, 1]; it cannot be weighed`;
  const eventId = typeof record.eventId === "string" ? record.eventId : "";
  if (source === "trigger" && eventId === "") return `trigger decision ${decisionId} has no eventId`;
  return { decisionId, customerId, channel: channel as Channel, source, eventId, ts, actionId, probability: p };
}
