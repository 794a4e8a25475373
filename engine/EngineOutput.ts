import type { RequestDecisionRecord } from "./checkpoint/EngineSnapshot.js";
import type { Decision } from "./decisions/Decision.js";
import type { InputErrorCode } from "./errors.js";
import type { SegmentChange } from "./segments/SegmentTracker.js";

/** Input the engine refused, with everything the dead-letter queue needs. */
export interface RejectedInput {
  readonly code: InputErrorCode;
  readonly message: string;
  /** The original bytes, untouched. */
  readonly bytes: Uint8Array;
  readonly subject: string;
  /** Stream sequence; 0 when the input did not come from a stream. */
  readonly seq: number;
}

/**
 * Where the engine's effects go. The engine calls these synchronously while it
 * processes a batch; connectors buffer and publish.
 */
export interface EngineOutput {
  /** A triggered decision, to publish. */
  decision(decision: Decision): void;
  rejected(input: RejectedInput): void;
  /**
   * A decide reply changed a customer's contact history without an inbound event;
   * log it durably so a recovery can replay it (`Engine.replayRequestDecision`).
   */
  requestDecisionRecorded(record: RequestDecisionRecord): void;
  /** A customer entered or left a segment, to publish. */
  segmentChanged(change: SegmentChange): void;
}
