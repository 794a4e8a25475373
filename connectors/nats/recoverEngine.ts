import type { NatsConnection } from "@nats-io/transport-node";
import { decodeStored, type Engine, type RequestDecisionRecord } from "../../engine/index.js";
import type { CheckpointStore } from "./CheckpointStore.js";
import type { CustomerLoader } from "./CustomerLoader.js";
import { readStream } from "./readStream.js";
import { Subjects } from "./subjects.js";

export interface Recovery {
  /** The event-stream sequence to resume consuming at. */
  readonly startSeq: number;
  readonly epoch: number;
  readonly customersRestored: number;
  readonly customersSpilled: number;
  /** Customers taken from checkpoints committed but not yet applied to the state bucket. */
  readonly customersFromLog: number;
  readonly requestDecisionsReplayed: number;
  readonly durationMs: number;
}

/**
 * Brings an engine back to its last committed checkpoint: the engine-wide snapshot,
 * every customer (into memory while there is room, the rest left spilled in the store),
 * then the request decisions logged after the cut. The caller resumes the event stream
 * at `startSeq`; events after the cut are applied again, and what they publish again
 * carries the same message ids, so the streams drop the repeats.
 */
export async function recoverEngine(options: {
  nc: NatsConnection;
  engine: Engine;
  store: CheckpointStore;
  loader: CustomerLoader;
  decisionStream: string;
}): Promise<Recovery> {
  const { engine, store } = options;
  const started = performance.now();
  const marker = await store.readCommit();
  if (marker === null) {
    return { startSeq: 1, epoch: 0, customersRestored: 0, customersSpilled: 0, customersFromLog: 0, requestDecisionsReplayed: 0, durationMs: 0 };
  }
  engine.restoreCheckpoint(marker.engine);
  let customersRestored = 0;
  let customersSpilled = 0;
  const { fromLog } = await store.recover(marker, ({ customerId, encoded }) => {
    if (engine.customersInMemory < engine.settings.maxCustomers) {
      engine.restoreCustomer(customerId, encoded);
      customersRestored++;
    } else {
      engine.markSpilled(customerId, encoded);
      customersSpilled++;
    }
  });
  const records = await readDecisionLog(options.nc, options.decisionStream, marker.decisionLogSeq + 1);
  let replayed = 0;
  for (const record of records) {
    if (record.sequence <= engine.requestDecisions) continue;
    await options.loader.ensureLoaded(record.customerId);
    engine.replayRequestDecision(record);
    replayed++;
  }
  return {
    startSeq: marker.engine.seq + 1,
    epoch: marker.engine.epoch,
    customersRestored,
    customersSpilled,
    customersFromLog: fromLog,
    requestDecisionsReplayed: replayed,
    durationMs: performance.now() - started,
  };
}

/** The request-decision records in the decision stream from `fromSeq` to its end now. */
async function readDecisionLog(nc: NatsConnection, stream: string, fromSeq: number): Promise<RequestDecisionRecord[]> {
  const records: RequestDecisionRecord[] = [];
  await readStream(nc, stream, { filter: Subjects.decisionLogAll, fromSeq }, (message) => {
    records.push(decodeStored(message.data) as RequestDecisionRecord);
  });
  return records;
}
