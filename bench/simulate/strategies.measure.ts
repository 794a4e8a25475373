import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulateStrategies } from "../../cli/simulate/simulateStrategies.js";
import { StrategyLog } from "../../cli/simulate/StrategyLog.js";
import { parseConfig } from "../../config/loadConfig.js";
import { STRATEGIES, writeStrategyLog } from "../../tests/helpers/strategyLog.js";

/**
 * How fast `cxpulse simulate-strategies` replays a log: the synthetic log of the
 * simulation test (page views, decide requests answered with exploration, responses)
 * at a larger size, replayed with one strategy and with three, in process.
 *
 *   node --import tsx bench/simulate/strategies.measure.ts [customers] [rounds]
 */
const customers = Number(process.argv[2] ?? 5_000);
const rounds = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), "cxpulse-simulate-bench-"));
const file = join(dir, "log.ndjson");
try {
  const log = writeStrategyLog(file, { customers, rounds, seed: 3 });
  const names = Object.keys(STRATEGIES) as (keyof typeof STRATEGIES)[];
  for (const count of [1, names.length]) {
    const specs = names.slice(0, count).map((name) => ({ name, config: parseConfig(STRATEGIES[name], `${name}.yaml`) }));
    const result = await simulateStrategies(new StrategyLog(file, "ndjson"), specs, 7 * 86_400_000);
    const perSecond = (n: number) => Math.round(n / result.elapsedSeconds).toLocaleString("en-US");
    process.stdout.write(
      `${count} ${count === 1 ? "strategy: " : "strategies:"} ${result.events.toLocaleString("en-US")} events and ${log.moments.toLocaleString("en-US")} logged decisions in ` +
        `${result.elapsedSeconds.toFixed(2)} s: ${perSecond(result.events)} events/s, ${perSecond(result.moments)} decisions/s; decide p50 ${result.strategies[0]!.decideMicros.p50.toFixed(1)} µs\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
