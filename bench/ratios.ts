import { readFileSync } from "node:fs";
import type { EndToEndResult } from "./load/endToEnd.js";
import type { SuiteResult } from "./micro/reportSuite.js";

/** Every ratio a run measured, by the name floors.json uses for it. */
export function ratiosOf(micro: readonly SuiteResult[], endToEnd: EndToEndResult | undefined): Map<string, number> {
  const ratios = new Map<string, number>();
  for (const suite of micro) {
    for (const c of suite.cases.slice(1)) ratios.set(`${suite.suite}: ${c.name}`, c.ratioToBaseline);
    for (const c of suite.comparisons) ratios.set(`${suite.suite}: ${c.name}`, c.ratio);
  }
  if (endToEnd !== undefined) {
    ratios.set("end-to-end: engine over no-op consumer, draining the stream", endToEnd.throughput.engineOverNoop);
    ratios.set("end-to-end: events applied over offered, with decide load", endToEnd.decideUnderLoad.appliedOverOffered);
  }
  return ratios;
}

interface Floor {
  readonly ratio: string;
  readonly floor: number;
  /** What the ratio guards and how its floor was chosen. */
  readonly comment: string;
}

/**
 * Checks measured ratios against the floors committed in `file`: one line per floor
 * with the ratio, its floor and PASS or FAIL. A floor whose ratio the run did not
 * measure fails too, so renaming a case cannot silently drop its guard.
 */
export function checkFloors(ratios: ReadonlyMap<string, number>, file: string): { lines: string[]; passed: boolean } {
  const { floors } = JSON.parse(readFileSync(file, "utf8")) as { floors: Floor[] };
  let passed = true;
  const lines = floors.map(({ ratio, floor }) => {
    const measured = ratios.get(ratio);
    const ok = measured !== undefined && measured >= floor;
    passed &&= ok;
    return `${ok ? "PASS" : "FAIL"}  ${String(measured ?? "not measured").padStart(8)}  >= ${String(floor).padEnd(6)}  ${ratio}`;
  });
  return { lines, passed };
}
