import {
  CHANNELS,
  encodeOutbound,
  type Decision,
  type EngineOutput,
  type RejectedInput,
  type RequestDecisionRecord,
  type SegmentChange,
} from "../../engine/index.js";
import type { RateLimitedLog } from "../log/RateLimitedLog.js";
import type { AckedPublisher } from "./AckedPublisher.js";
import { Subjects } from "./subjects.js";

/** Dead letters carry their code in a header too, for routing without decoding. */
export const ERROR_CODE_HEADER = "Cx-Error-Code";

/** What a dead-letter record holds, as published on `cx.dlq.<code>`. */
export interface DeadLetter {
  readonly code: string;
  readonly error: string;
  readonly subject: string;
  readonly seq: number;
  readonly receivedAt: number;
  /** The original bytes, untouched. */
  readonly payload: Uint8Array;
}

/**
 * Publishes the engine's effects, each with a `Nats-Msg-Id` that a replay repeats, so
 * the streams that capture them (CX_DECISIONS, CX_DLQ) store each exactly once:
 * - triggered decisions on `cx.decisions.<channel>.<customerId>` (id: the decision id);
 * - request decisions' contact-history records on `cx.decision-log.<channel>.<customerId>`;
 * - segment entries and exits on `cx.segments.<segment>.<customerId>` (id: the change id);
 * - rejected input on `cx.dlq.<code>` with its original bytes (id: its event-stream sequence).
 * Plain subscribers receive the same messages as they are published.
 */
export class NatsEngineOutput implements EngineOutput {
  readonly #decisions: AckedPublisher;
  readonly #deadLetters: AckedPublisher;
  readonly #warnings: RateLimitedLog;
  readonly #eventStream: string;

  constructor(options: { decisions: AckedPublisher; deadLetters: AckedPublisher; warnings: RateLimitedLog; eventStream: string }) {
    this.#decisions = options.decisions;
    this.#deadLetters = options.deadLetters;
    this.#warnings = options.warnings;
    this.#eventStream = options.eventStream;
  }

  decision(decision: Decision): void {
    this.#decisions.publish(Subjects.decision(decision.channel, decision.customerId), encodeOutbound(decision), decision.decisionId);
  }

  requestDecisionRecorded(record: RequestDecisionRecord): void {
    this.#decisions.publish(
      Subjects.decisionLog(CHANNELS[record.channelIndex]!, record.customerId),
      encodeOutbound(record),
      `decision-log:${record.sequence}`,
    );
  }

  segmentChanged(change: SegmentChange): void {
    this.#decisions.publish(Subjects.segmentChange(change.segment, change.customerId), encodeOutbound(change), change.changeId);
  }

  rejected(input: RejectedInput): void {
    const letter: DeadLetter = {
      code: input.code,
      error: input.message,
      subject: input.subject,
      seq: input.seq,
      receivedAt: Date.now(),
      payload: input.bytes,
    };
    this.#deadLetters.publish(Subjects.dlq(input.code), encodeOutbound(letter), `${this.#eventStream}:${input.seq}`, {
      [ERROR_CODE_HEADER]: input.code,
    });
    // Code and sequence only: the reason's text can quote the payload (a JSON parser's
    // excerpt, a decoded value, a field name or value), which may hold personal data.
    // The dead letter carries the reason and the bytes.
    this.#warnings.warn(input.code, { code: input.code, seq: input.seq, dlq: Subjects.dlq(input.code) }, "rejected inbound event; the reason is in its dead letter");
  }
}
