import type { NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";

/**
 * Reads a stream from `fromSeq` (default: its first message) to its last message as of
 * the call, optionally only one filter subject, and visits each message in order.
 * An ephemeral consumer is used because its info tells at once how many messages
 * follow, so the read knows when it is done without waiting for a timeout.
 */
export async function readStream(
  nc: NatsConnection,
  stream: string,
  options: { filter?: string; fromSeq?: number },
  visit: (message: JsMsg) => void,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  if (info.state.messages === 0 || info.state.last_seq < (options.fromSeq ?? 0)) return;
  const created = await jsm.consumers.add(stream, {
    ...(options.filter === undefined ? {} : { filter_subject: options.filter }),
    ...(options.fromSeq === undefined
      ? { deliver_policy: DeliverPolicy.All }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(options.fromSeq, info.state.first_seq) }),
    ack_policy: AckPolicy.None,
    inactive_threshold: 60_000_000_000,
  });
  try {
    if (created.num_pending === 0) return;
    let remaining = created.num_pending;
    const consumer = await jetstream(nc).consumers.get(stream, created.name);
    let reachedEnd: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      reachedEnd = resolve;
    });
    const messages = await consumer.consume({
      max_messages: 10_000,
      callback: (message) => {
        visit(message);
        // num_pending and pending over-count on a stream with interior deletes (a KV
        // bucket whose keys were overwritten; nats-server 2.9): the last sequence as of
        // the call ends the read too.
        if (--remaining === 0 || message.info.pending === 0 || message.seq >= info.state.last_seq) reachedEnd();
      },
    });
    await done;
    await messages.close();
  } finally {
    await jsm.consumers.delete(stream, created.name).catch(() => undefined);
  }
}
