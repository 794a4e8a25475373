import { createInbox, headers, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import type { RateLimitedLog } from "../log/RateLimitedLog.js";

const MSG_ID_HEADER = "Nats-Msg-Id";
/** A publish not acknowledged within this time is sent again (same id: the stream drops a repeat). */
const ACK_TIMEOUT_MS = 5_000;
const SWEEP_INTERVAL_MS = 500;

interface PendingPublish {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: MsgHdrs;
  sentAt: number;
}

interface SettledWaiter {
  /** Resolved once every publish with an id up to this one is acknowledged. */
  readonly upTo: number;
  readonly resolve: () => void;
}

const textDecoder = new TextDecoder();

/**
 * JetStream publishes with acknowledgements, without a promise, timer and error object
 * per message (what `js.publish` costs in nats.js: about a sixth of the engine's CPU in
 * the end-to-end benchmark's profile). Each message is a core publish whose reply
 * subject is this publisher's inbox; one subscription reads the acks. Each message
 * carries a `Nats-Msg-Id`, so sending it again — after a timeout, a failure or a
 * reconnect — is dropped by the stream if the first one was stored. A checkpoint waits
 * for `settled()` before it commits, so nothing it covers can still be lost in flight.
 */
export class AckedPublisher {
  readonly #nc: NatsConnection;
  readonly #warnings: RateLimitedLog;
  readonly #inbox: string;
  readonly #pending = new Map<number, PendingPublish>();
  readonly #waiters: SettledWaiter[] = [];
  readonly #subscription: Subscription;
  readonly #sweep: NodeJS.Timeout;
  #nextId = 1;
  /** Highest stream sequence acknowledged so far. */
  lastAckedSeq = 0;
  published = 0;
  retries = 0;

  constructor(nc: NatsConnection, warnings: RateLimitedLog) {
    this.#nc = nc;
    this.#warnings = warnings;
    this.#inbox = createInbox();
    this.#subscription = nc.subscribe(`${this.#inbox}.*`, { callback: (_error, msg) => this.#acknowledged(msg) });
    this.#sweep = setInterval(() => this.#resendOlderThan(Date.now() - ACK_TIMEOUT_MS), SWEEP_INTERVAL_MS);
    this.#sweep.unref();
    void this.#resendAfterReconnect();
  }

  get outstanding(): number {
    return this.#pending.size;
  }

  publish(subject: string, data: Uint8Array, msgID: string, extraHeaders?: Readonly<Record<string, string>>): void {
    const h = headers();
    h.set(MSG_ID_HEADER, msgID);
    if (extraHeaders !== undefined) for (const [key, value] of Object.entries(extraHeaders)) h.set(key, value);
    const id = this.#nextId++;
    const pending: PendingPublish = { subject, data, headers: h, sentAt: Date.now() };
    this.#pending.set(id, pending);
    this.#send(id, pending);
  }

  /** Resolves when every publish made before this call is stored. */
  settled(): Promise<void> {
    const upTo = this.#nextId - 1;
    if (this.#oldestPending() > upTo) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ upTo, resolve }));
  }

  /** Stops resending and listening (shutdown). */
  stop(): void {
    clearInterval(this.#sweep);
    this.#subscription.unsubscribe();
  }

  #send(id: number, pending: PendingPublish): void {
    this.#nc.publish(pending.subject, pending.data, { headers: pending.headers, reply: `${this.#inbox}.${id}` });
  }

  #acknowledged(msg: Msg): void {
    const id = Number(msg.subject.slice(this.#inbox.length + 1));
    const pending = this.#pending.get(id);
    if (pending === undefined) return; // the ack of a message already acknowledged
    const ack = readAck(msg);
    if (typeof ack === "string") {
      // Sent again by the sweep, after a pause, rather than at once into the same failure.
      this.#warnings.warn("publish-retry", { subject: pending.subject, error: ack }, "JetStream did not store a publish; will retry");
      return;
    }
    if (ack.seq > this.lastAckedSeq) this.lastAckedSeq = ack.seq;
    this.#pending.delete(id);
    this.published++;
    if (this.#waiters.length > 0) this.#wakeWaiters();
  }

  /** The smallest pending id; ids grow and a Map keeps insertion order, so it is the first key. */
  #oldestPending(): number {
    for (const id of this.#pending.keys()) return id;
    return Number.POSITIVE_INFINITY;
  }

  #wakeWaiters(): void {
    const oldest = this.#oldestPending();
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i]!;
      if (waiter.upTo < oldest) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  #resendOlderThan(cutoff: number): void {
    const now = Date.now();
    for (const [id, pending] of this.#pending) {
      if (pending.sentAt > cutoff) continue;
      pending.sentAt = now;
      this.retries++;
      this.#send(id, pending);
    }
  }

  /** A reconnect may have lost whatever was in flight: send everything pending again now. */
  async #resendAfterReconnect(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (status.type === "reconnect") this.#resendOlderThan(Number.POSITIVE_INFINITY);
    }
  }
}

/** The stream sequence an ack reply reports, or why the message was not stored. */
function readAck(msg: Msg): { seq: number } | string {
  if (msg.headers?.hasError) return `${msg.headers.code} ${msg.headers.description}`; // e.g. 503: no stream
  if (msg.data.length === 0) return "empty ack";
  const ack = JSON.parse(textDecoder.decode(msg.data)) as { seq?: number; error?: { description?: string } };
  if (ack.error !== undefined) return ack.error.description ?? "error";
  return { seq: ack.seq ?? 0 };
}
