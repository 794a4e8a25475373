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
  /** Customers changed since the previous cut, by id. */
  readonly customerIds: readonly string[];
  /** Encoded customers captured before the writer asked: about to change, or packed. */
  readonly captured = new Map<string, Uint8Array>();
  readonly #members: ReadonlySet<string>;

  /** `changed`: the ids of the customers changed since the previous cut; the cut keeps it. */
  constructor(epoch: number, seq: number, engine: EngineSnapshot, changed: ReadonlySet<string>) {
    this.epoch = epoch;
    this.seq = seq;
    this.engine = engine;
    this.customerIds = [...changed];
    this.#members = changed;
  }

  has(customerId: string): boolean {
    return this.#members.has(customerId);
  }
}
