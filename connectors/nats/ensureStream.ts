import { nanos, type NatsConnection } from "@nats-io/transport-node";
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamInfo,
} from "@nats-io/jetstream";

export interface StreamSettings {
  readonly name: string;
  /** 0 keeps messages forever. */
  readonly maxAgeMs: number;
  /** JetStream drops a message whose `Nats-Msg-Id` it has seen within this window. */
  readonly duplicateWindowMs: number;
  readonly replicas: number;
}

/**
 * Creates a file-backed stream over `subjects` if it does not exist, or brings its
 * retention settings in line with the configuration. A stream that exists but
 * captures other subjects is an error: someone else's stream, not ours to change.
 */
export async function ensureStream(nc: NatsConnection, settings: StreamSettings, subjects: readonly string[]): Promise<StreamInfo> {
  const jsm = await jetstreamManager(nc);
  const wanted = {
    max_age: nanos(settings.maxAgeMs),
    duplicate_window: nanos(settings.duplicateWindowMs),
    num_replicas: settings.replicas,
  };
  try {
    const info = await jsm.streams.info(settings.name);
    const { config } = info;
    const missing = subjects.filter((subject) => !config.subjects?.includes(subject));
    if (missing.length > 0) {
      throw new Error(
        `stream ${settings.name} exists but does not capture ${missing.join(", ")} (it captures ${config.subjects?.join(", ") ?? "nothing"})`,
      );
    }
    if (
      config.max_age !== wanted.max_age ||
      config.duplicate_window !== wanted.duplicate_window ||
      config.num_replicas !== wanted.num_replicas
    ) {
      return await jsm.streams.update(settings.name, { ...config, ...wanted });
    }
    return info;
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
  }
  return jsm.streams.add({
    name: settings.name,
    subjects: [...subjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    ...wanted,
  });
}
