import type { NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, StorageType, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { decodeStored, encodeStored, type EngineSnapshot } from "../../engine/index.js";
import { ensureStream } from "./ensureStream.js";
import { readStream } from "./readStream.js";

export interface CheckpointStoreSettings {
  /** KV bucket of customer states: one key per customer, the latest committed state. */
  readonly stateBucket: string;
  /** KV bucket holding the commit marker and how far the log has been applied. */
  readonly metaBucket: string;
  /** Stream holding checkpoints committed but not yet applied to the state bucket. */
  readonly logStream: string;
  readonly replicas: number;
}

/** The commit marker: the one write that makes a checkpoint count. */
export interface CommitMarker {
  readonly engine: EngineSnapshot;
  /** CX_DECISIONS sequence acknowledged before the cut: the decision log is replayed after it. */
  readonly decisionLogSeq: number;
  /** First log-stream sequence of this checkpoint's customers. */
  readonly logFirstSeq: number;
  readonly committedAt: number;
  readonly customers: number;
  readonly bytes: number;
}

export interface StoredCustomer {
  readonly customerId: string;
  readonly encoded: Uint8Array;
}

/** A customer state to store: id and encoded snapshot. */
export type CustomerEntry = readonly [customerId: string, encoded: Uint8Array];

interface LogChunk {
  readonly epoch: number;
  readonly customers: CustomerEntry[];
}

const COMMIT_KEY = "commit";
const APPLIED_KEY = "applied";
const LOG_SUBJECT_PREFIX = "cx.checkpoint.log.";
/** Largest log message: well under the server's default 1 MiB payload limit. */
const LOG_CHUNK_BYTES = 512 * 1024;
/** The key whose write closes an application to the state bucket and proves it complete. */
const BARRIER_KEY = "_applied";
/** Customers published per synchronous slice when applying to the state bucket. */
const APPLY_SLICE = 512;

/**
 * Checkpoints in JetStream, atomic and incremental:
 *
 * 1. the customers changed since the last checkpoint go, in a few large messages, to
 *    a log stream (cheap: one acknowledged publish per half megabyte);
 * 2. the commit marker (KV) names the checkpoint's epoch, stream sequence and log
 *    position: from here on, recovery uses this checkpoint;
 * 3. the same customers are applied to the state bucket (KV, one key per customer),
 *    published without waiting for each ack and proven complete by the sequence of a
 *    closing barrier write; then the log is purged.
 *
 * The state bucket is thus always the compacted image of every applied checkpoint
 * (JetStream keeps one revision per key), and the log holds at most the checkpoints
 * committed but not applied, which recovery applies first.
 */
export class CheckpointStore {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #states: KV;
  readonly #meta: KV;
  readonly #settings: CheckpointStoreSettings;

  private constructor(nc: NatsConnection, jsm: JetStreamManager, states: KV, meta: KV, settings: CheckpointStoreSettings) {
    this.#nc = nc;
    this.#js = jetstream(nc);
    this.#jsm = jsm;
    this.#states = states;
    this.#meta = meta;
    this.#settings = settings;
  }

  static async open(nc: NatsConnection, settings: CheckpointStoreSettings): Promise<CheckpointStore> {
    const kvm = new Kvm(nc);
    const common = { storage: StorageType.File, replicas: settings.replicas, history: 1 };
    const states = await kvm.create(settings.stateBucket, common);
    const meta = await kvm.create(settings.metaBucket, common);
    await ensureStream(
      nc,
      { name: settings.logStream, maxAgeMs: 0, duplicateWindowMs: 120_000, replicas: settings.replicas },
      [`${LOG_SUBJECT_PREFIX}>`],
    );
    return new CheckpointStore(nc, await jetstreamManager(nc), states, meta, settings);
  }

  async readCommit(): Promise<CommitMarker | null> {
    const entry = await this.#meta.get(COMMIT_KEY);
    if (entry === null || entry.operation !== "PUT") return null;
    return decodeStored(entry.value) as CommitMarker;
  }

  /** Step 1: writes a checkpoint's customers to the log; returns its first log sequence and size. */
  async writeLog(epoch: number, customers: readonly CustomerEntry[]): Promise<{ firstSeq: number; bytes: number }> {
    let firstSeq = 0;
    let bytes = 0;
    let chunk: CustomerEntry[] = [];
    let chunkBytes = 0;
    let index = 0;
    const flush = async () => {
      const data = encodeStored({ epoch, customers: chunk } satisfies LogChunk);
      const ack = await this.#js.publish(`${LOG_SUBJECT_PREFIX}${epoch}`, data, { msgID: `${epoch}:${index++}` });
      if (firstSeq === 0) firstSeq = ack.seq;
      bytes += data.length;
      chunk = [];
      chunkBytes = 0;
    };
    for (const entry of customers) {
      if (chunkBytes + entry[1].length > LOG_CHUNK_BYTES && chunk.length > 0) await flush();
      chunk.push(entry);
      chunkBytes += entry[0].length + entry[1].length + 8;
    }
    if (chunk.length > 0 || index === 0) await flush();
    return { firstSeq, bytes };
  }

  /** Step 2, the commit point: after this, recovery uses the checkpoint. */
  async commit(marker: CommitMarker): Promise<void> {
    await this.#meta.put(COMMIT_KEY, encodeStored(marker));
  }

  /**
   * Step 3: applies committed customers to the state bucket and purges the log of
   * checkpoints up to `epoch`. Each customer is published without waiting for its ack;
   * the state bucket's stream has one writer (this engine), so when the closing barrier
   * is stored at exactly the expected sequence, every write before it was stored too.
   */
  async apply(epoch: number, customers: readonly CustomerEntry[]): Promise<void> {
    const stream = `KV_${this.#settings.stateBucket}`;
    const before = (await this.#jsm.streams.info(stream)).state.last_seq;
    const prefix = `$KV.${this.#settings.stateBucket}.`;
    for (let from = 0; from < customers.length; from += APPLY_SLICE) {
      const to = Math.min(customers.length, from + APPLY_SLICE);
      for (let i = from; i < to; i++) this.#nc.publish(prefix + customers[i]![0], customers[i]![1]);
      // Publishing is synchronous; yielding between slices keeps the event loop responsive.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const barrier = await this.#js.publish(`$KV.${this.#settings.stateBucket}.${BARRIER_KEY}`, encodeStored({ epoch }));
    if (barrier.seq !== before + customers.length + 1) {
      throw new Error(
        `state bucket ${this.#settings.stateBucket} stored ${barrier.seq - before - 1} of ${customers.length} customers of checkpoint ${epoch}`,
      );
    }
    await this.#meta.put(APPLIED_KEY, encodeStored({ epoch }));
    await this.#jsm.streams.purge(this.#settings.logStream, { filter: `${LOG_SUBJECT_PREFIX}>`, keep: 0 });
  }

  /** A customer's state as last applied, or null if the store has none. */
  async loadCustomer(customerId: string): Promise<Uint8Array | null> {
    const entry = await this.#states.get(customerId);
    return entry === null || entry.operation !== "PUT" ? null : entry.value;
  }

  /**
   * Recovery: every customer's state as of the committed checkpoint: the state bucket,
   * overlaid with the committed checkpoints still in the log (which are then applied,
   * so that loads from the bucket are current). Log chunks of a checkpoint that never
   * committed are ignored. A reader beside a running engine (`applyLog: false`) leaves
   * the applying to the engine, which may have moved on to newer checkpoints.
   */
  async recover(
    marker: CommitMarker,
    visit: (customer: StoredCustomer) => void,
    { applyLog = true }: { applyLog?: boolean } = {},
  ): Promise<{ customers: number; fromLog: number }> {
    const customers = new Map<string, Uint8Array>();
    const keyPrefixLength = `$KV.${this.#settings.stateBucket}.`.length;
    await readStream(this.#nc, `KV_${this.#settings.stateBucket}`, {}, (message) => {
      const customerId = message.subject.slice(keyPrefixLength);
      if (customerId === BARRIER_KEY) return;
      const operation = message.headers?.get("KV-Operation");
      if (operation === "DEL" || operation === "PURGE") customers.delete(customerId);
      else customers.set(customerId, message.data);
    });
    const pending: CustomerEntry[] = [];
    await readStream(this.#nc, this.#settings.logStream, {}, (message) => {
      const chunk = decodeStored(message.data) as LogChunk;
      if (chunk.epoch > marker.engine.epoch) return; // written, never committed
      for (const entry of chunk.customers) pending.push(entry);
    });
    for (const [customerId, encoded] of pending) customers.set(customerId, encoded);
    if (applyLog && pending.length > 0) await this.apply(marker.engine.epoch, pending);
    for (const [customerId, encoded] of customers) visit({ customerId, encoded });
    return { customers: customers.size, fromLog: pending.length };
  }
}
