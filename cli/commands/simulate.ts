import { DEFAULT_CONFIG_PATH, loadConfig } from "../../config/loadConfig.js";
import { createLogger } from "../../connectors/log/createLogger.js";
import { connectNats } from "../../connectors/nats/connectNats.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { TrafficPublisher } from "../../simulator/TrafficPublisher.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import { DEFAULT_LOCAL_URL } from "../localNatsServer.js";
import { numberOption, stringOption, type OptionValues } from "../options.js";

/** Publishes simulated traffic into the event stream at a constant rate. */
export async function runSimulate(values: OptionValues): Promise<number> {
  const config = loadConfig(stringOption(values, "config") ?? DEFAULT_CONFIG_PATH, process.env);
  const log = createLogger(config.logLevel, 2);
  const rate = numberOption(values, "rate", 1_000, { min: 1, max: 1_000_000 });
  const customers = numberOption(values, "customers", 10_000, { min: 1, max: 100_000_000, integer: true });
  const durationS = numberOption(values, "duration", 60, { min: 0.1, max: 31_536_000 });
  const seed = numberOption(values, "seed", 1, { min: 0, max: 2 ** 32 - 1, integer: true });
  const malformedRatio = numberOption(values, "malformed-ratio", 0, { min: 0, max: 1 });
  const jsonRatio = numberOption(values, "json-ratio", 0, { min: 0, max: 1 });
  const servers = stringOption(values, "nats-url") ?? (config.nats.url || DEFAULT_LOCAL_URL);

  const nc = await connectNats({ ...config.nats, servers });
  try {
    await ensureStream(nc, config.nats.stream, [Subjects.eventsAll]);
    const simulator = new TrafficSimulator({ seed, customers, runId: Date.now().toString(36), malformedRatio, jsonRatio });
    const publisher = new TrafficPublisher({ nc, simulator, ratePerSecond: rate });
    log.info({ servers, rate, customers, durationS, seed }, "simulating traffic");
    publisher.start();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, durationS * 1000);
      process.once("SIGINT", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await publisher.stop();
    process.stdout.write(`published ${publisher.sent} messages (${publisher.malformed} malformed on purpose) in ${durationS} s\n`);
  } finally {
    await nc.drain();
  }
  return 0;
}
