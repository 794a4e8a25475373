import { CustomerState, type StateLayout } from "../state/CustomerState.js";
import { StateStore } from "../state/StateStore.js";
import { CheckpointCut } from "./CheckpointCut.js";
import { decodeCustomer, encodeCustomer } from "./CustomerSnapshot.js";
import type { EngineSnapshot } from "./EngineSnapshot.js";
import { PackedCustomers } from "./PackedCustomers.js";

/**
 * Every customer the engine knows, wherever the state is: in memory, as a live state
 * (the "hot" ones, a bounded store, least recently used leaving first) or packed in
 * its checkpoint encoding (idle ones, whose every change is in a committed checkpoint;
 * unpacked at their next event); evicted from the hot ones but not yet in a committed
 * checkpoint (kept live here until it is, then packed); or only in the checkpoint store
 * ("spilled", to be loaded back before its next event), once hot and packed ones
 * together reach the memory bound and the longest packed one leaves.
 *
 * A live state costs about 2 KiB and a packed one under half of that, so most of a large
 * base is held packed; unpacking one costs about as much as loading it from a
 * checkpoint, without the round trip (bench/state/memoryPerCustomer.ts).
 * It also tracks which customers changed in each checkpoint epoch, so a checkpoint
 * writes only those, and captures a customer before it changes while a checkpoint
 * holding it is being written.
 */
export class CustomerDirectory {
  readonly #store: StateStore;
  /** A fresh state: snapshots leave out fields equal to it. */
  readonly #initial: CustomerState;
  /** The open epoch: changes now belong to the next checkpoint. */
  #epoch = 1;
  #committedEpoch = 0;
  #changed: CustomerState[] = [];
  #cut: CheckpointCut | undefined;
  /** Evicted from memory before their changes reached a committed checkpoint. */
  readonly #unwritten = new Map<string, CustomerState>();
  /** Only in the checkpoint store. */
  readonly #spilled = new Set<string>();
  readonly #packed = new PackedCustomers();
  /** Hot and packed customers together: beyond, the longest packed is spilled. */
  readonly #maxCustomers: number;
  /** Packed customers brought back to life. */
  unpacked = 0;

  /** At most `maxCustomers` in memory, of which at most `hotCustomers` live. */
  constructor(layout: StateLayout, maxCustomers: number, hotCustomers = maxCustomers) {
    if (!(hotCustomers >= 1 && hotCustomers <= maxCustomers)) throw new RangeError(`hot customers must be from 1 to the ${maxCustomers} in memory, got ${hotCustomers}`);
    this.#store = new StateStore(layout, hotCustomers, (state) => this.#evicted(state));
    this.#maxCustomers = maxCustomers;
    this.#initial = new CustomerState("", layout);
  }

  get layout(): StateLayout {
    return this.#store.layout;
  }

  /** Hot and packed. */
  get inMemory(): number {
    return this.#store.size + this.#packed.size;
  }

  get packed(): number {
    return this.#packed.size;
  }

  /** Bytes of the packed customers' encodings. */
  get packedBytes(): number {
    return this.#packed.bytes;
  }

  get evictions(): number {
    return this.#store.evictions;
  }

  get spilled(): number {
    return this.#spilled.size;
  }

  get committedEpoch(): number {
    return this.#committedEpoch;
  }

  get checkpointInFlight(): boolean {
    return this.#cut !== undefined;
  }

  /** The customer's state, `null` if it must first be loaded from the checkpoint store, or undefined if unknown. */
  find(customerId: string): CustomerState | null | undefined {
    const state = this.#store.get(customerId);
    if (state !== undefined) return state;
    const unwritten = this.#unwritten.get(customerId);
    if (unwritten !== undefined) {
      this.#unwritten.delete(customerId);
      this.#store.insert(unwritten);
      return unwritten;
    }
    const packed = this.#packed.take(customerId);
    if (packed !== undefined) {
      this.unpacked++;
      return this.#insertDecoded(packed);
    }
    return this.#spilled.has(customerId) ? null : undefined;
  }

  /** The customer's state, created if unknown; `null` if it must first be loaded. */
  findOrCreate(customerId: string): CustomerState | null {
    const found = this.find(customerId);
    if (found !== undefined) return found;
    return this.#store.create(customerId);
  }

  /** Every live customer (evicted ones not yet written included), without refreshing recency. */
  *liveStates(): Generator<CustomerState> {
    yield* this.#store.values();
    for (const [customerId, state] of this.#unwritten) if (!this.#store.has(customerId)) yield state;
  }

  /** Every packed customer, as a decoded copy to be read and let go (decoding takes about 15 µs a customer). */
  *packedStates(): Generator<CustomerState> {
    for (const customerId of this.#packed.customerIds()) yield this.#decode(this.#packed.read(customerId)!);
  }

  /** The ids of every customer held in memory: live ones, then packed ones. */
  *inMemoryCustomerIds(): Generator<string> {
    yield* this.#store.keys();
    for (const customerId of this.#unwritten.keys()) if (!this.#store.has(customerId)) yield customerId;
    yield* this.#packed.customerIds();
  }

  /**
   * Reads without loading, refreshing recency or restoring an evicted state; a packed
   * customer as a decoded copy, which changes nothing if changed.
   */
  peek(customerId: string): CustomerState | undefined {
    const state = this.#store.peek(customerId) ?? this.#unwritten.get(customerId);
    if (state !== undefined) return state;
    const packed = this.#packed.read(customerId);
    return packed === undefined ? undefined : this.#decode(packed);
  }

  isSpilled(customerId: string): boolean {
    return this.#spilled.has(customerId) && !this.#store.has(customerId);
  }

  transient(customerId: string): CustomerState {
    return this.#store.transient(customerId);
  }

  /** Must be called before every change to a state. */
  touch(state: CustomerState): void {
    if (state.pendingCapture) {
      this.#cut!.captured.set(state, encodeCustomer(state, this.#initial));
      state.pendingCapture = false;
    }
    if (state.dirtyEpoch !== this.#epoch) {
      state.dirtyEpoch = this.#epoch;
      this.#changed.push(state);
    }
  }

  /** Puts back a customer read from the checkpoint store, unless a newer state is already here. */
  restore(encoded: Uint8Array): CustomerState {
    const run = this.#store.takeNumbers();
    let state: CustomerState;
    try {
      state = decodeCustomer(encoded, this.#store.layout, run);
    } catch (error) {
      this.#store.recycle(run);
      throw error;
    }
    const present = this.#store.peek(state.customerId) ?? this.#unwritten.get(state.customerId) ?? (this.#packed.has(state.customerId) ? this.find(state.customerId) : undefined);
    if (present) {
      this.#store.recycle(state);
      return present;
    }
    this.#spilled.delete(state.customerId);
    this.#store.insert(state);
    return state;
  }

  /** Notes a customer that exists in the checkpoint store but is not loaded. */
  markSpilled(customerId: string): void {
    if (!this.#store.has(customerId) && !this.#packed.has(customerId)) this.#spilled.add(customerId);
  }

  /** Forgets that a customer was spilled: the store had nothing for it after all. */
  forgetSpilled(customerId: string): void {
    this.#spilled.delete(customerId);
  }

  /** After recovery: the checkpoint that was loaded is committed, and new changes go to the next epoch. */
  resumeAfter(committedEpoch: number): void {
    this.#committedEpoch = committedEpoch;
    this.#epoch = committedEpoch + 1;
  }

  /** Closes the open epoch at stream sequence `seq` and returns the cut to write. */
  beginCheckpoint(seq: number, engine: (epoch: number) => EngineSnapshot): CheckpointCut {
    if (this.#cut !== undefined) throw new Error(`checkpoint ${this.#cut.epoch} is still being written`);
    const cut = new CheckpointCut(this.#epoch, seq, engine(this.#epoch), this.#changed);
    for (const state of cut.customers) state.pendingCapture = true;
    this.#cut = cut;
    this.#changed = [];
    this.#epoch++;
    return cut;
  }

  /** The customer's encoded state as of the cut. */
  capture(cut: CheckpointCut, state: CustomerState): Uint8Array {
    const early = cut.captured.get(state);
    if (early !== undefined) return early;
    state.pendingCapture = false;
    return encodeCustomer(state, this.#initial);
  }

  /** The cut is durably committed: evicted customers it holds are now safely spilled. */
  commit(cut: CheckpointCut): void {
    this.#finish(cut);
    this.#committedEpoch = cut.epoch;
    for (const [customerId, state] of this.#unwritten) {
      if (state.dirtyEpoch <= cut.epoch) {
        this.#unwritten.delete(customerId);
        // Evicted and in no open epoch or cut: nothing reaches it any more.
        this.#leaveHot(state);
      }
    }
  }

  /** Writing the cut failed: its customers go into the next checkpoint instead. */
  abort(cut: CheckpointCut): void {
    this.#finish(cut);
    for (const state of cut.customers) {
      state.pendingCapture = false;
      if (state.dirtyEpoch !== this.#epoch) {
        state.dirtyEpoch = this.#epoch;
        this.#changed.push(state);
      }
    }
  }

  #finish(cut: CheckpointCut): void {
    if (this.#cut !== cut) throw new Error(`checkpoint ${cut.epoch} is not the one being written`);
    this.#cut = undefined;
    for (const state of cut.customers) state.pendingCapture = false;
  }

  #evicted(state: CustomerState): void {
    if (state.dirtyEpoch > this.#committedEpoch) {
      this.#unwritten.set(state.customerId, state);
    } else {
      // Its last change is committed, so it is in no open epoch and no cut being written.
      this.#leaveHot(state);
    }
  }

  /**
   * Packs a state whose every change is committed and which nothing reaches any more,
   * then spills the longest packed customers beyond the memory bound; with no room for
   * packed customers at all, spills the state itself.
   */
  #leaveHot(state: CustomerState): void {
    if (this.#store.max < this.#maxCustomers) this.#packed.put(state.customerId, encodeCustomer(state, this.#initial));
    else this.#spilled.add(state.customerId);
    this.#store.recycle(state);
    while (this.#packed.size > 0 && this.#store.size + this.#packed.size > this.#maxCustomers) {
      const longest = this.#packed.oldest()!;
      this.#packed.delete(longest);
      this.#spilled.add(longest);
    }
  }

  #insertDecoded(encoded: Uint8Array): CustomerState {
    const run = this.#store.takeNumbers();
    const state = decodeCustomer(encoded, this.#store.layout, run);
    this.#store.insert(state);
    return state;
  }

  #decode(encoded: Uint8Array): CustomerState {
    return decodeCustomer(encoded, this.#store.layout);
  }
}
