import { CustomerState, type StateLayout } from "../state/CustomerState.js";
import { StateStore } from "../state/StateStore.js";
import { CheckpointCut } from "./CheckpointCut.js";
import { decodeCustomer, encodeCustomer } from "./CustomerSnapshot.js";
import type { EngineSnapshot } from "./EngineSnapshot.js";
import { PackedCustomers } from "./PackedCustomers.js";

/**
 * Every customer the engine knows, wherever the state is: in memory, as a live state
 * (the "hot" ones, a bounded store, least recently used leaving first) or packed in its
 * checkpoint encoding (unpacked at its next event); or only in the checkpoint store
 * ("spilled", to be loaded back before its next event), once live and packed customers
 * together exceed the memory bound and the one packed longest ago has every change in a
 * committed checkpoint.
 *
 * A live state costs about 2 KiB and a packed one under half of that, so most of a large
 * base is held packed; unpacking one costs about as much as loading it from a
 * checkpoint, without the round trip (bench/state/memoryPerCustomer.ts).
 *
 * It also tracks which customers changed in each checkpoint epoch, by id, so a checkpoint
 * writes only those, and captures a customer before it changes while a checkpoint
 * holding it is being written. A packed customer is written from its encoding, which
 * stays its state at the cut until it is unpacked; unpacking it captures it.
 */
export class CustomerDirectory {
  readonly #store: StateStore;
  /** A fresh state: snapshots leave out fields equal to it. */
  readonly #initial: CustomerState;
  /** The open epoch: changes now belong to the next checkpoint. */
  #epoch = 1;
  #committedEpoch = 0;
  /** Customers changed in the open epoch. */
  #changed = new Set<string>();
  #cut: CheckpointCut | undefined;
  /** Only in the checkpoint store. */
  readonly #spilled = new Set<string>();
  readonly #packed = new PackedCustomers();
  /** Live and packed customers together: beyond, the longest packed is spilled once its changes are committed. */
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

  /** Live and packed. */
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
    const packed = this.#packed.take(customerId);
    if (packed !== undefined) {
      this.unpacked++;
      // Packed since before the cut being written, which has not read it yet: this is its state at the cut.
      const cut = this.#cut;
      if (cut !== undefined && cut.has(customerId) && !cut.captured.has(customerId)) cut.captured.set(customerId, packed);
      const unpacked = decodeCustomer(packed, this.#store.layout, this.#store.takeNumbers());
      this.#store.insert(unpacked);
      return unpacked;
    }
    return this.#spilled.has(customerId) ? null : undefined;
  }

  /** The customer's state, created if unknown; `null` if it must first be loaded. */
  findOrCreate(customerId: string): CustomerState | null {
    const found = this.find(customerId);
    if (found !== undefined) return found;
    return this.#store.create(customerId);
  }

  /** Every live customer, without refreshing recency. */
  liveStates(): IterableIterator<CustomerState> {
    return this.#store.values();
  }

  /** Every packed customer, as a decoded copy to be read and let go (decoding takes about 15 µs a customer). */
  *packedStates(): Generator<CustomerState> {
    for (const customerId of this.#packed.customerIds()) yield this.#decode(this.#packed.read(customerId)!);
  }

  /** The ids of every customer held in memory: live ones, then packed ones. */
  *inMemoryCustomerIds(): Generator<string> {
    yield* this.#store.keys();
    yield* this.#packed.customerIds();
  }

  /**
   * Reads without loading or refreshing recency; a packed customer as a decoded copy,
   * which changes nothing if changed.
   */
  peek(customerId: string): CustomerState | undefined {
    const state = this.#store.peek(customerId);
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
      this.#cut!.captured.set(state.customerId, encodeCustomer(state, this.#initial));
      state.pendingCapture = false;
    }
    if (state.dirtyEpoch !== this.#epoch) {
      state.dirtyEpoch = this.#epoch;
      this.#changed.add(state.customerId);
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
    const present = this.#store.has(state.customerId) || this.#packed.has(state.customerId) ? this.find(state.customerId) : undefined;
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
    for (const customerId of cut.customerIds) {
      const state = this.#store.peek(customerId);
      if (state !== undefined) state.pendingCapture = true;
    }
    this.#cut = cut;
    this.#changed = new Set();
    this.#epoch++;
    return cut;
  }

  /**
   * The customer's encoded state as of the cut: captured early, or live and unchanged
   * since the cut, or packed since before it (unpacking or packing it since would have
   * captured it).
   */
  capture(cut: CheckpointCut, customerId: string): Uint8Array {
    const early = cut.captured.get(customerId);
    if (early !== undefined) return early;
    const state = this.#store.peek(customerId);
    if (state === undefined) return this.#packed.read(customerId)!;
    state.pendingCapture = false;
    return encodeCustomer(state, this.#initial);
  }

  /** The cut is durably committed: packed customers it holds may now be spilled. */
  commit(cut: CheckpointCut): void {
    this.#finish(cut);
    this.#committedEpoch = cut.epoch;
    this.#spillBeyondBound();
  }

  /** Writing the cut failed: its customers go into the next checkpoint instead. */
  abort(cut: CheckpointCut): void {
    this.#finish(cut);
    for (const customerId of cut.customerIds) {
      this.#changed.add(customerId);
      const state = this.#store.peek(customerId);
      if (state !== undefined) state.dirtyEpoch = this.#epoch;
    }
  }

  #finish(cut: CheckpointCut): void {
    if (this.#cut !== cut) throw new Error(`checkpoint ${cut.epoch} is not the one being written`);
    this.#cut = undefined;
    for (const customerId of cut.customerIds) {
      const state = this.#store.peek(customerId);
      if (state !== undefined) state.pendingCapture = false;
    }
  }

  /** Whether every change of the customer is in a committed checkpoint. */
  #committed(customerId: string): boolean {
    return !this.#changed.has(customerId) && this.#cut?.has(customerId) !== true;
  }

  /**
   * A state left the live ones: it is packed, or, with no room for packed customers and
   * every change committed, spilled. Nothing reaches the state any more (changes are
   * tracked by id), so its numbers go to the next customer.
   */
  #evicted(state: CustomerState): void {
    const customerId = state.customerId;
    if (this.#store.max === this.#maxCustomers && !state.pendingCapture && this.#committed(customerId)) {
      this.#spilled.add(customerId);
    } else {
      const encoded = encodeCustomer(state, this.#initial);
      // In the cut being written and not yet captured: this is its state at the cut.
      if (state.pendingCapture) this.#cut!.captured.set(customerId, encoded);
      this.#packed.put(customerId, encoded);
      this.#spillBeyondBound();
    }
    this.#store.recycle(state);
  }

  /**
   * Spills the customers packed longest ago while memory holds more than its bound, down
   * to the first whose changes are not all committed: the bound may be exceeded by
   * customers packed since the last commit, until the next.
   */
  #spillBeyondBound(): void {
    while (this.#store.size + this.#packed.size > this.#maxCustomers) {
      const longest = this.#packed.oldest();
      if (longest === undefined || !this.#committed(longest)) return;
      this.#packed.delete(longest);
      this.#spilled.add(longest);
    }
  }

  #decode(encoded: Uint8Array): CustomerState {
    return decodeCustomer(encoded, this.#store.layout);
  }
}
