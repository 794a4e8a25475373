import { LRUCache } from "lru-cache";
import { CustomerState, type StateLayout } from "./CustomerState.js";

/**
 * The customers held in memory, bounded by count with least-recently-used eviction.
 * An eviction is reported to `onEvict` so the owner can account for (and, with
 * checkpoints, spill) the customer instead of losing it silently.
 */
export class StateStore {
  readonly layout: StateLayout;
  readonly #cache: LRUCache<string, CustomerState>;
  evictions = 0;

  constructor(layout: StateLayout, maxCustomers: number, onEvict?: (state: CustomerState) => void) {
    this.layout = layout;
    this.#cache = new LRUCache<string, CustomerState>({
      max: maxCustomers,
      dispose: (state, _key, reason) => {
        if (reason !== "evict") return;
        this.evictions++;
        onEvict?.(state);
      },
    });
  }

  get size(): number {
    return this.#cache.size;
  }

  get max(): number {
    return this.#cache.max;
  }

  get(customerId: string): CustomerState | undefined {
    return this.#cache.get(customerId);
  }

  /** Reads without refreshing recency; for queries that must not keep a customer warm. */
  peek(customerId: string): CustomerState | undefined {
    return this.#cache.peek(customerId);
  }

  getOrCreate(customerId: string): CustomerState {
    let state = this.#cache.get(customerId);
    if (state === undefined) {
      state = new CustomerState(customerId, this.layout);
      this.#cache.set(customerId, state);
    }
    return state;
  }

  /** Puts a state back (restored from a checkpoint, or returning from eviction). */
  insert(state: CustomerState): void {
    this.#cache.set(state.customerId, state);
  }

  has(customerId: string): boolean {
    return this.#cache.has(customerId);
  }

  /** A state for a customer the engine has never seen, not stored: decisions for prospects. */
  transient(customerId: string): CustomerState {
    return new CustomerState(customerId, this.layout);
  }

  values(): IterableIterator<CustomerState> {
    return this.#cache.values();
  }
}
