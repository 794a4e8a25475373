import type Benchmark from "benchmark";

export interface CaseResult {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly relativeMarginOfError: number;
  readonly samples: number;
  /** Throughput over the suite's first case (its baseline), measured in the same run. */
  readonly ratioToBaseline: number;
}

/** Throughput of one case over another of the same suite, e.g. ours over a peer library's. */
export interface Comparison {
  readonly name: string;
  readonly ratio: number;
}

export interface SuiteResult {
  readonly suite: string;
  readonly baseline: string;
  readonly cases: readonly CaseResult[];
  readonly comparisons: readonly Comparison[];
}

export interface ComparisonSpec {
  readonly name: string;
  /** Case names: the ratio is `faster.hz / slower.hz`. */
  readonly faster: string;
  readonly slower: string;
}

/** Rounds per suite: each case keeps its best round, so a burst of load from another process on a shared machine, which only ever slows a case down, must hit a case in every round to lower its ratio. */
const ROUNDS = 2;

/**
 * Runs a suite whose first case is the baseline, ROUNDS times (`makeSuite` builds a fresh
 * one each round), and prints its results: a table, or with `--json` one JSON object on
 * stdout for the runner that started this process. `--quick` samples for less time
 * (what `bench:quick` and the guard use). `sink` keeps results alive so the optimiser
 * cannot drop the measured work.
 */
export async function reportSuite(makeSuite: () => Benchmark.Suite, sink: () => unknown, comparisons: readonly ComparisonSpec[] = []): Promise<void> {
  const json = process.argv.includes("--json");
  const quick = process.argv.includes("--quick");
  let name = "";
  const best = new Map<string, Benchmark>();
  for (let round = 0; round < ROUNDS; round++) {
    const suite = makeSuite();
    name = suite.name ?? "suite";
    suite.forEach((bench: Benchmark) => {
      const options = (bench as unknown as { options: Benchmark.Options }).options;
      options.maxTime = quick ? 0.25 : 2;
      options.minSamples = quick ? 5 : 20;
    });
    suite.on("cycle", (event: Benchmark.Event) => {
      if (!json) process.stderr.write(`  round ${round + 1}: ${String(event.target)}\n`);
    });
    await new Promise<void>((resolve, reject) => {
      suite.on("error", (event: Benchmark.Event) => reject((event.target as unknown as { error: unknown }).error));
      suite.on("complete", () => resolve());
      suite.run({ async: false });
    });
    suite.forEach((bench: Benchmark) => {
      const kept = best.get(bench.name!);
      if (kept === undefined || bench.hz > kept.hz) best.set(bench.name!, bench);
    });
  }
  const benches = [...best.values()];
  const baseline = benches[0]!;
  const hzOf = (caseName: string) => {
    const bench = best.get(caseName);
    if (bench === undefined) throw new Error(`comparison names case "${caseName}", which suite ${name} does not have`);
    return bench.hz;
  };
  const result: SuiteResult = {
    suite: name,
    baseline: baseline.name ?? "",
    cases: benches.map((bench) => ({
      name: bench.name ?? "",
      opsPerSecond: Math.round(bench.hz),
      relativeMarginOfError: round(bench.stats.rme, 2),
      samples: bench.stats.sample.length,
      ratioToBaseline: round(bench.hz / baseline.hz, 3),
    })),
    comparisons: comparisons.map((c) => ({ name: c.name, ratio: round(hzOf(c.faster) / hzOf(c.slower), 2) })),
  };
  void sink();
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    for (const c of result.cases) {
      process.stdout.write(`${c.name.padEnd(60)} ${String(c.opsPerSecond).padStart(12)} ops/s ±${c.relativeMarginOfError}%  x${c.ratioToBaseline}\n`);
    }
    for (const c of result.comparisons) process.stdout.write(`${c.name}: x${c.ratio}\n`);
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
