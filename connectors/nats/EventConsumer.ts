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

/** Longest the handler runs before the event loop gets a turn (HTTP, requests, acks). */
const SLICE_MS = 10;
/** Messages between two looks at the clock within a slice. */
const CLOCK_EVERY = 32;

/**
 * Reads the interaction stream in order with an ordered pull consumer and a callback,
 * so the engine sees every message synchronously, with no await per event. The client
 * hands over everything one socket read brought in a single run of callbacks (a
 * pull of thousands of messages: over a second of engine work, during which nothing
 * else in the process could run). So the callback only queues each message, and the
 * queue is worked off in slices of at most SLICE_MS, yielding to the event loop
 * between them; each slice is a batch. Past `maxMessages` queued, the pull is closed
 * until the queue is worked down, so memory stays bounded.
 * The engine keeps its own position (the stream sequence), so the consumer is
 * ephemeral and can start anywhere; the client re-creates it after a server restart
 * or reconnect and resumes after the last sequence it delivered.
 */
export class EventConsumer {
  readonly #nc: NatsConnection;
  readonly #options: EventConsumerOptions;
  #messages: ConsumerMessages | undefined;
  readonly #queue: JsMsg[] = [];
  #queueHead = 0;
  #draining = false;
  /** Pulling stopped because the queue is full (not the caller's pause). */
  #throttled = false;
  #lastSeq = 0;
  #paused = false;
  #stopped = false;
  /** Start, stop, pause and resume run one after another, never interleaved. */
  #transition: Promise<void> = Promise.resolve();
  readonly #drain = () => this.#workOff();

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
    if (this.#throttled) return this.#transition;
    return this.#serially(() => this.#open(this.#lastSeq + 1));
  }

  async #open(startSeq: number): Promise<void> {
    const js = jetstream(this.#nc);
    const consumer = await js.consumers.get(this.#options.stream, {
      filter_subjects: Subjects.eventsAll,
      opt_start_seq: Math.max(1, startSeq),
    });
    this.#messages = await consumer.consume({
      max_messages: this.#options.maxMessages,
      callback: (message) => {
        this.#queue.push(message);
        this.#lastSeq = message.seq;
        if (!this.#draining) {
          this.#draining = true;
          setImmediate(this.#drain);
        }
        if (this.#queue.length - this.#queueHead >= this.#options.maxMessages && !this.#throttled) {
          this.#throttled = true;
          void this.#serially(() => this.#close());
        }
      },
    });
  }

  /** Stops asking for messages, then hands over every message already delivered. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#paused = false;
    await this.#serially(() => this.#close());
    while (this.#queueHead < this.#queue.length) this.#workOff(Number.POSITIVE_INFINITY);
  }

  /** Hands queued messages to the handler for one slice; the batch the listener hears of. */
  #workOff(sliceMs = SLICE_MS): void {
    const { handle, listener } = this.#options;
    const queue = this.#queue;
    const started = performance.now();
    const first = this.#queueHead;
    let head = first;
    let last: JsMsg | undefined;
    while (head < queue.length) {
      const message = queue[head++]!;
      last = message;
      try {
        handle(message.data, message.subject, message.seq, message);
      } catch (error) {
        listener.handlerFailed(error, message.subject, message.seq);
      }
      if ((head - first) % CLOCK_EVERY === 0 && performance.now() - started >= sliceMs) break;
    }
    if (head === queue.length) {
      queue.length = 0;
      this.#queueHead = 0;
      this.#draining = false;
    } else {
      this.#queueHead = head;
      setImmediate(this.#drain);
    }
    if (last !== undefined) listener.batchEnd(head - first, performance.now() - started, last.info.pending, last.seq);
    if (this.#throttled && queue.length - this.#queueHead < this.#options.maxMessages / 2) {
      this.#throttled = false;
      if (!this.#paused && !this.#stopped) void this.#serially(() => this.#open(this.#lastSeq + 1));
    }
  }

  /**
   * After a reconnect (server restart, network loss) the pull may be lost with the old
   * connection; the client would notice only when heartbeats go missing, tens of
   * seconds later. Re-opening at once resumes right after the last message handled.
   */
  #restartOnReconnect(): void {
    void (async () => {
      for await (const status of this.#nc.status()) {
        if (status.type !== "reconnect" || this.#paused || this.#stopped || this.#throttled) continue;
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
}
