import { DEFAULT_CONFIG_PATH, loadConfig } from "../../config/loadConfig.js";
import { connectNats } from "../../connectors/nats/connectNats.js";
import { CheckpointStore } from "../../connectors/nats/CheckpointStore.js";
import { CxError, decodeCustomer, fitBgNbd, repeatHistoryOf, ServiceErrorCodes, stateLayoutFor, type RepeatHistory } from "../../engine/index.js";
import { DEFAULT_LOCAL_URL } from "../localNatsServer.js";
import { stringOption, type OptionValues } from "../options.js";

/**
 * Fits the BG/NBD parameters of probability-alive to the engine's customers, offline:
 * reads every customer of the last committed checkpoint (in memory or spilled, read
 * only, beside a running engine) and prints the `metrics.probabilityAlive` section to
 * paste into the configuration. Time is in weeks, as the engine reads the parameters.
 */
export async function runFitBgNbd(values: OptionValues): Promise<number> {
  const config = loadConfig(stringOption(values, "config") ?? DEFAULT_CONFIG_PATH, process.env);
  const servers = stringOption(values, "nats-url") ?? (config.nats.url || DEFAULT_LOCAL_URL);
  const nc = await connectNats({ ...config.nats, servers });
  try {
    const store = await CheckpointStore.open(nc, { ...config.checkpoint, replicas: config.nats.stream.replicas });
    const marker = await store.readCommit();
    if (marker === null) {
      throw new CxError(ServiceErrorCodes.NoCheckpoint, `no committed checkpoint in ${config.checkpoint.metaBucket} on ${servers}: run the engine until it has checkpointed`);
    }
    const layout = stateLayoutFor(config.engine);
    const now = marker.engine.watermark;
    const histories: RepeatHistory[] = [];
    let customers = 0;
    await store.recover(
      marker,
      ({ encoded }) => {
        customers++;
        const history = repeatHistoryOf(decodeCustomer(encoded, layout), now);
        if (history !== null) histories.push(history);
      },
      { applyLog: false },
    );
    if (histories.length === 0) {
      throw new CxError(ServiceErrorCodes.NothingToFit, `none of the ${customers} customers in the checkpoint has bought anything: nothing to fit`);
    }
    const fit = fitBgNbd(histories);
    const { r, alpha, a, b } = fit.parameters;
    const number = (value: number) => Number(value.toPrecision(6));
    process.stdout.write(
      [
        `# BG/NBD fitted to ${fit.customers} purchasers of ${customers} customers (checkpoint at stream sequence ${marker.engine.seq},`,
        `# watermark ${new Date(now).toISOString()}); log-likelihood ${fit.logLikelihood.toFixed(2)}, ${fit.iterations} iterations${fit.converged ? "" : ", NOT converged"}`,
        "metrics:",
        "  probabilityAlive:",
        `    r: ${number(r)}`,
        `    alpha: ${number(alpha)}`,
        `    a: ${number(a)}`,
        `    b: ${number(b)}`,
        "    threshold: 0.5",
        "",
      ].join("\n"),
    );
    return fit.converged ? 0 : 1;
  } finally {
    await nc.close();
  }
}
