import { CustomerState, type StateLayout } from "../state/CustomerState.js";
import { StateStore } from "../state/StateStore.js";
import { CheckpointCut } from "./CheckpointCut.js";
import { decodeCustomer, encodeCustomer } from "./CustomerSnapshot.js";
import type { EngineSnapshot } from "./EngineSnapshot.js";

/**
 * Every customer the engine knows, wherever the state is: in memory (the bounded
 * store), evicted but not yet in a committed checkpoint (kept here until it is), or
 * only in the checkpoint store ("spilled", to be loaded back before its next event).
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

  constructor(layout: StateLayout, maxCustomers: number) {
    this.#store = new StateStore(layout, maxCustomers, (state) => this.#evicted(state));
    this.#initial = new CustomerState("", layout);
  }

  get layout(): StateLayout {
    return this.#store.layout;
  }

  get inMemory(): number {
    return this.#store.size;
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
    return this.#spilled.has(customerId) ? null : undefined;
  }

  /** The customer's state, created if unknown; `null` if it must first be loaded. */
  findOrCreate(customerId: string): CustomerState | null {
    const found = this.find(customerId);
    if (found !== undefined) return found;
    return this.#store.create(customerId);
  }

  /** Every customer held in memory (evicted ones not yet written included), without refreshing recency. */
  *inMemoryStates(): Generator<CustomerState> {
    yield* this.#store.values();
    for (const [customerId, state] of this.#unwritten) if (!this.#store.has(customerId)) yield state;
  }

  /** Reads without loading, refreshing recency or restoring an evicted state. */
  peek(customerId: string): CustomerState | undefined {
    return this.#store.peek(customerId) ?? this.#unwritten.get(customerId);
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
    const present = this.#store.peek(state.customerId) ?? this.#unwritten.get(state.customerId);
    if (present !== undefined) {
      this.#store.recycle(state);
      return present;
    }
    this.#spilled.delete(state.customerId);
    this.#store.insert(state);
    return state;
  }

  /** Notes a customer that exists in the checkpoint store but is not loaded. */
  markSpilled(customerId: string): void {
    if (!this.#store.has(customerId)) this.#spilled.add(customerId);
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
        this.#spilled.add(customerId);
        // Out of memory and in no open epoch or cut: nothing reaches it any more.
        this.#store.recycle(state);
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
      this.#spilled.add(state.customerId);
      // Its last change is committed, so it is in no open epoch and no cut being written.
      this.#store.recycle(state);
    }
  }
}
