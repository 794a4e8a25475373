import { resolve } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { Logger } from "../connectors/log/createLogger.js";
import { NatsServerProcess, portAnswers } from "../connectors/nats/NatsServerProcess.js";

export const DEFAULT_LOCAL_URL = "nats://127.0.0.1:4222";

export interface LocalServer {
  readonly servers: string;
  /** The server we started, if we had to; stop it on the way out. */
  readonly started: NatsServerProcess | undefined;
}

/**
 * With no NATS URL configured: use the server on 127.0.0.1:4222 if it answers with
 * JetStream, else start one from the `nats-server` binary with its store in `dataDir`.
 */
export async function useLocalNatsServer(dataDir: string, log: Logger): Promise<LocalServer> {
  if (await portAnswers("127.0.0.1", 4222) && (await hasJetStream(DEFAULT_LOCAL_URL))) {
    log.info({ servers: DEFAULT_LOCAL_URL }, "using the local NATS server on 127.0.0.1:4222");
    return { servers: DEFAULT_LOCAL_URL, started: undefined };
  }
  const storeDir = resolve(dataDir, "nats");
  const port = (await portAnswers("127.0.0.1", 4222)) ? 0 : 4222;
  const server = await NatsServerProcess.start({ storeDir, port });
  log.info({ servers: server.url, storeDir, pid: server.pid }, "started a local nats-server with JetStream");
  return { servers: server.url, started: server };
}

/** Starts a private server in a given store: what `demo` uses so it never touches shared streams. */
export async function startPrivateNatsServer(storeDir: string, log: Logger): Promise<LocalServer> {
  const server = await NatsServerProcess.start({ storeDir });
  log.info({ servers: server.url, storeDir, pid: server.pid }, "started a private nats-server with JetStream");
  return { servers: server.url, started: server };
}

async function hasJetStream(url: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 1_000, maxReconnectAttempts: 0 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 1_000 });
      await jsm.getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch {
    return false;
  }
}
