import type { Engine } from "../../engine/index.js";
import type { Logger } from "../log/createLogger.js";
import type { AckedPublisher } from "./AckedPublisher.js";
import type { CheckpointStore, CustomerEntry } from "./CheckpointStore.js";

export interface CheckpointerOptions {
  readonly engine: Engine;
  readonly store: CheckpointStore;
  /** Decisions and the decision log: the commit marker records how far its acks got. */
  readonly decisions: AckedPublisher;
  /** Every publisher whose messages a checkpoint covers: it commits only once they are stored. */
  readonly publishers: readonly AckedPublisher[];
  readonly intervalMs: number;
  readonly log: Logger;
  readonly observer: CheckpointObserver;
}

export interface CheckpointResult {
  readonly epoch: number;
  readonly seq: number;
  readonly customers: number;
  readonly bytes: number;
  readonly durationMs: number;
  /** Longest time the event loop was held by capturing customers (the pause seen by the hot path). */
  readonly longestPauseMs: number;
  /** All synchronous capture time together. */
  readonly captureMs: number;
}

export interface CheckpointObserver {
  committed(result: CheckpointResult): void;
  failed(error: unknown): void;
}

/** Customers captured per synchronous slice: small enough that a slice is a short pause. */
const CAPTURE_SLICE = 64;

/**
 * Writes checkpoints at an interval and on demand (graceful shutdown). The cut is taken
 * synchronously; customers are captured in short slices while events keep flowing
 * (the engine captures a customer early if it is about to change); the commit marker
 * is written after the checkpoint's log and after every decision and dead letter
 * published before the cut is stored; then the checkpoint is applied to the state
 * bucket (see CheckpointStore).
 */
export class Checkpointer {
  readonly #options: CheckpointerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<CheckpointResult> | undefined;

  constructor(options: CheckpointerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => {
      if (this.#running === undefined) void this.checkpoint().catch(() => undefined);
    }, this.#options.intervalMs);
  }

  /** Stops the timer and waits for a checkpoint being written. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Writes a checkpoint now, after the one in progress if any. */
  async checkpoint(): Promise<CheckpointResult> {
    while (this.#running !== undefined) await this.#running.catch(() => undefined);
    const running = this.#write().finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #write(): Promise<CheckpointResult> {
    const { engine, store, decisions, publishers, observer } = this.#options;
    const started = performance.now();
    const cut = engine.beginCheckpoint();
    let captureMs = performance.now() - started;
    let longestPauseMs = captureMs;
    const decisionLogSeq = decisions.lastAckedSeq;
    const published = Promise.all(publishers.map((publisher) => publisher.settled()));
    // Awaited below; this only keeps an early failure elsewhere from leaving it unhandled.
    published.catch(() => undefined);
    try {
      const entries: CustomerEntry[] = [];
      for (let from = 0; from < cut.customerIds.length; from += CAPTURE_SLICE) {
        const sliceStart = performance.now();
        const to = Math.min(cut.customerIds.length, from + CAPTURE_SLICE);
        for (let i = from; i < to; i++) {
          const customerId = cut.customerIds[i]!;
          entries.push([customerId, engine.captureCustomer(cut, customerId)]);
        }
        const pause = performance.now() - sliceStart;
        captureMs += pause;
        longestPauseMs = Math.max(longestPauseMs, pause);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const log = await store.writeLog(cut.epoch, entries);
      await published;
      await store.commit({
        engine: cut.engine,
        decisionLogSeq,
        logFirstSeq: log.firstSeq,
        committedAt: Date.now(),
        customers: entries.length,
        bytes: log.bytes,
      });
      await store.apply(cut.epoch, entries);
      engine.commitCheckpoint(cut);
      const result: CheckpointResult = {
        epoch: cut.epoch,
        seq: cut.seq,
        customers: entries.length,
        bytes: log.bytes,
        durationMs: performance.now() - started,
        longestPauseMs,
        captureMs,
      };
      observer.committed(result);
      return result;
    } catch (error) {
      // Not applied (maybe not even committed): its customers go into the next checkpoint.
      engine.abortCheckpoint(cut);
      observer.failed(error);
      this.#options.log.error({ error: (error as Error).message, epoch: cut.epoch }, "checkpoint failed; its changes go into the next one");
      throw error;
    }
  }
}
