import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NatsServerProcess } from "../../connectors/nats/NatsServerProcess.js";

/** A nats-server for one test file: free port, temporary JetStream store, removed on stop. */
export interface TestNatsServer {
  readonly server: NatsServerProcess;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startTestNatsServer(args: readonly string[] = []): Promise<TestNatsServer> {
  const storeDir = mkdtempSync(join(tmpdir(), "cxpulse-test-nats-"));
  const server = await NatsServerProcess.start({ storeDir, args });
  return {
    server,
    url: server.url,
    async stop() {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
