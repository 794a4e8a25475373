import type { NatsConnection } from "@nats-io/transport-node";
import { jetstream, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import { Subjects } from "./subjects.js";

/** One message's worth of work; must be synchronous and must not throw on bad input. */
/** `message` is there for what is rarely read (its delivery info); data, subject and sequence come read. */
export type MessageHandler = (data: Uint8Array, subject: string, seq: number, message: JsMsg) => void;

/** Called once per batch, after its last message was handled. */
export interface BatchListener {
  batchEnd(messages: number, durationMs: number, pending: number, lastSeq: number): void;
  /** A handler threw: a bug, not bad input. The message is skipped and the consumer goes on. */
  handlerFailed(error: unknown, subject: string, seq: number): void;
}

export interface EventConsumerOptions {
  readonly stream: string;
  /** Messages the pull consumer keeps requested: bounds what can pile up in the client. */
  readonly maxMessages: number;
  readonly handle: MessageHandler;
  readonly listener: BatchListener;
}

/**
 * Reads the interaction stream in order with an ordered pull consumer and a callback,
 * so the engine sees every message synchronously, with no await per event. All
 * messages the client delivers in one go form a batch, closed by a microtask.
 * The engine keeps its own position (the stream sequence), so the consumer is
 * ephemeral and can start anywhere; the client re-creates it after a server restart
 * or reconnect and resumes after the last sequence it delivered.
 */
export class EventConsumer {
  readonly #nc: NatsConnection;
  readonly #options: EventConsumerOptions;
  #messages: ConsumerMessages | undefined;
  #batchSize = 0;
  #batchStart = 0;
  #lastMessage: JsMsg | undefined;
  #lastSeq = 0;
  #paused = false;
  #stopped = false;
  /** Start, stop, pause and resume run one after another, never interleaved. */
  #transition: Promise<void> = Promise.resolve();
  readonly #endBatch = () => this.#closeBatch();

  constructor(nc: NatsConnection, options: EventConsumerOptions) {
    this.#nc = nc;
    this.#options = options;
  }

  /** Starts delivering from stream sequence `startSeq` (1 for the beginning). */
  start(startSeq: number): Promise<void> {
    this.#restartOnReconnect();
    return this.#serially(() => this.#open(startSeq));
  }

  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Backpressure: stops pulling until `resume`. Messages the client already holds are
   * still handed over; `resume` continues after the last one.
   */
  pause(): Promise<void> {
    if (this.#paused) return this.#transition;
    this.#paused = true;
    return this.#serially(() => this.#close());
  }

  resume(): Promise<void> {
    if (!this.#paused || this.#stopped) return this.#transition;
    this.#paused = false;
    return this.#serially(() => this.#open(this.#lastSeq + 1));
  }

  async #open(startSeq: number): Promise<void> {
    const js = jetstream(this.#nc);
    const consumer = await js.consumers.get(this.#options.stream, {
      filter_subjects: Subjects.eventsAll,
      opt_start_seq: Math.max(1, startSeq),
    });
    const { handle, listener } = this.#options;
    this.#messages = await consumer.consume({
      max_messages: this.#options.maxMessages,
      callback: (message) => {
        if (this.#batchSize === 0) {
          this.#batchStart = performance.now();
          queueMicrotask(this.#endBatch);
        }
        this.#batchSize++;
        this.#lastMessage = message;
        const seq = message.seq;
        this.#lastSeq = seq;
        try {
          handle(message.data, message.subject, seq, message);
        } catch (error) {
          listener.handlerFailed(error, message.subject, seq);
        }
      },
    });
  }

  /** Sequence of the last message handed to the handler. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Stops asking for messages; every message already delivered has been handled. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#paused = false;
    return this.#serially(() => this.#close());
  }

  /**
   * After a reconnect (server restart, network loss) the pull may be lost with the old
   * connection; the client would notice only when heartbeats go missing, tens of
   * seconds later. Re-opening at once resumes right after the last message handled.
   */
  #restartOnReconnect(): void {
    void (async () => {
      for await (const status of this.#nc.status()) {
        if (status.type !== "reconnect" || this.#paused || this.#stopped) continue;
        void this.#serially(async () => {
          await this.#close();
          if (!this.#paused && !this.#stopped) await this.#open(this.#lastSeq + 1);
        }).catch(() => undefined);
      }
    })();
  }

  #serially(step: () => Promise<void>): Promise<void> {
    this.#transition = this.#transition.then(step, step);
    return this.#transition;
  }

  async #close(): Promise<void> {
    const messages = this.#messages;
    this.#messages = undefined;
    if (messages !== undefined) await messages.close();
  }

  #closeBatch(): void {
    const size = this.#batchSize;
    if (size === 0) return;
    this.#batchSize = 0;
    const pending = this.#lastMessage?.info.pending ?? 0;
    this.#lastMessage = undefined;
    this.#options.listener.batchEnd(size, performance.now() - this.#batchStart, pending, this.#lastSeq);
  }
}
