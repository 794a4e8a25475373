import type { LiveCubeSnapshot } from "../cube/LiveCube.js";
import type { EngineStatsSnapshot } from "../EngineStats.js";
import type { CampaignLedgerSnapshot } from "../campaigns/CampaignLedger.js";
import type { ChannelLoadSnapshot } from "../decisions/ChannelSelection.js";
import type { BusinessMetricsSnapshot } from "../metrics/BusinessMetrics.js";
import type { OnlineModelsSnapshot } from "../models/OnlineModels.js";
import type { SegmentsSnapshot } from "../segments/SegmentTracker.js";

/** The engine-wide part of a checkpoint: where it stands in the stream and its counters. */
export interface EngineSnapshot {
  readonly epoch: number;
  /** Every message up to this stream sequence is reflected; recovery resumes after it. */
  readonly seq: number;
  readonly watermark: number;
  /** Request decisions recorded so far; recovery replays logged ones above it. */
  readonly requestDecisions: number;
  readonly stats: EngineStatsSnapshot;
  /** Absent in checkpoints written before the engine kept business metrics. */
  readonly business?: BusinessMetricsSnapshot;
  /** Absent in checkpoints written before the engine kept segments. */
  readonly segments?: SegmentsSnapshot;
  /** Absent when the models are off, and in checkpoints written before the engine had them. */
  readonly models?: OnlineModelsSnapshot;
  /** Absent in checkpoints written before the engine kept the cube. */
  readonly cube?: LiveCubeSnapshot;
  /** Each campaign's counters per arm; absent in checkpoints written before campaigns. */
  readonly campaigns?: readonly CampaignLedgerSnapshot[];
  /** Triggered decisions per channel and event-time hour, for channel capacities. */
  readonly channelLoad?: ChannelLoadSnapshot;
  readonly configVersion: string;
}

/** A decide-request decision as the engine records it in the customer's contact history. */
export interface RequestDecisionRecord {
  /** Position in the engine's sequence of request decisions (1, 2, ...). */
  readonly sequence: number;
  readonly decisionId: string;
  readonly customerId: string;
  /** The action shown first; "" when the decision showed none (a control group held it back). */
  readonly actionId: string;
  readonly channelIndex: number;
  readonly ts: number;
  /** The probability the action had of being shown first (`Decision.probability`), for off-policy evaluation of the log; absent with no action. */
  readonly probability?: number;
  /** Campaign exposures the decision made, as [campaign id, arm index]: variants shown and controls held out. */
  readonly exposures?: readonly (readonly [string, number])[];
}
