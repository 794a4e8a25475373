import { LRUCache } from "lru-cache";
import { CustomerState, type StateLayout } from "./CustomerState.js";
import { NumberSlabs, type NumberRun } from "./NumberSlabs.js";

/**
 * The customers held in memory as live states, bounded by count with
 * least-recently-used eviction. An eviction is reported to `onEvict` so the owner can
 * keep the customer in another form (packed, or spilled to the checkpoint store) instead
 * of losing it silently.
 */
export class StateStore {
  readonly layout: StateLayout;
  readonly #cache: LRUCache<string, CustomerState>;
  readonly #slabs: NumberSlabs;
  evictions = 0;

  constructor(layout: StateLayout, maxCustomers: number, onEvict?: (state: CustomerState) => void) {
    this.layout = layout;
    this.#slabs = new NumberSlabs(layout.offsets.length);
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
    return this.#cache.get(customerId) ?? this.create(customerId);
  }

  /** Stores a fresh state for a customer not in the store. */
  create(customerId: string): CustomerState {
    const state = new CustomerState(customerId, this.layout, this.#slabs.take());
    this.#cache.set(customerId, state);
    return state;
  }

  /**
   * Numbers for a state about to be stored (`insert`), such as one restored from a
   * checkpoint; give them back with `recycle` if it is not stored after all.
   */
  takeNumbers(): NumberRun {
    return this.#slabs.take();
  }

  /**
   * Takes back the numbers of a state that left the store for good. Only when nothing
   * can reach the state any more: its numbers go to the next new customer.
   */
  recycle(run: NumberRun): void {
    this.#slabs.give(run);
  }

  /** States released and not yet reused. */
  get recycled(): number {
    return this.#slabs.free;
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

  keys(): IterableIterator<string> {
    return this.#cache.keys();
  }
}
