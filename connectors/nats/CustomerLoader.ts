import type { Engine } from "../../engine/index.js";
import type { RateLimitedLog } from "../log/RateLimitedLog.js";
import type { CheckpointStore } from "./CheckpointStore.js";

/** Spilled customers fetched together with the awaited one: round trips overlap instead of adding up. */
const PREFETCH = 64;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * Brings customers spilled to the checkpoint store back into memory: the one the
 * event stream waits for (messages are held, in order, meanwhile), and any a decide
 * request or profile query asks about. A failed read is retried; nothing is skipped.
 */
export class CustomerLoader {
  readonly #engine: Engine;
  readonly #store: CheckpointStore;
  readonly #warnings: RateLimitedLog;
  #draining: Promise<void> | undefined;
  loads = 0;

  constructor(engine: Engine, store: CheckpointStore, warnings: RateLimitedLog) {
    this.#engine = engine;
    this.#store = store;
    this.#warnings = warnings;
  }

  /** Loads the customers the event stream waits for until it waits for none. */
  drainAwaiting(): Promise<void> {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  /** Resolves once nothing waits for a load (for graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  /** Makes sure a customer's state is in memory before a request reads or changes it. */
  async ensureLoaded(customerId: string): Promise<void> {
    if (!this.#engine.needsLoad(customerId)) return;
    const encoded = await this.#read(customerId);
    this.#engine.restoreCustomer(customerId, encoded);
  }

  async #drain(): Promise<void> {
    for (let customerId = this.#engine.awaitingCustomer; customerId !== null; ) {
      // Fetch the awaited customer together with spilled ones that held messages need next.
      const ahead = this.#engine.heldCustomersToLoad(PREFETCH);
      const [encoded, ...prefetched] = await Promise.all([customerId, ...ahead].map((id) => this.#read(id)));
      ahead.forEach((id, i) => this.#engine.restoreCustomer(id, prefetched[i]!));
      customerId = this.#engine.resume(encoded!);
    }
  }

  async #read(customerId: string): Promise<Uint8Array | null> {
    for (let delay = RETRY_FIRST_MS; ; delay = Math.min(RETRY_MAX_MS, delay * 2)) {
      try {
        const encoded = await this.#store.loadCustomer(customerId);
        this.loads++;
        return encoded;
      } catch (error) {
        this.#warnings.warn("load-retry", { error: (error as Error).message, retryInMs: delay }, "loading a spilled customer failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
