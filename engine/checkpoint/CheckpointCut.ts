import type { CustomerState } from "../state/CustomerState.js";
import type { EngineSnapshot } from "./EngineSnapshot.js";

/**
 * A consistent cut of the engine at stream sequence `seq`: every message up to `seq`
 * is in it, none after. Taken synchronously between messages; written asynchronously
 * while processing goes on. A customer in the cut that is about to change before the
 * writer reached it is captured first (copy-on-write), so what is written is the
 * state at the cut, never a later one.
 */
export class CheckpointCut {
  readonly epoch: number;
  readonly seq: number;
  readonly engine: EngineSnapshot;
  /** Customers changed since the previous cut. */
  readonly customers: readonly CustomerState[];
  /** Encoded customers captured early because they were about to change. */
  readonly captured = new Map<CustomerState, Uint8Array>();

  constructor(epoch: number, seq: number, engine: EngineSnapshot, customers: readonly CustomerState[]) {
    this.epoch = epoch;
    this.seq = seq;
    this.engine = engine;
    this.customers = customers;
  }
}
