import { Unpackr } from "msgpackr";

/** The name of every suite's first case, the baseline its ratios divide by. */
export const BARE_DECODE = "baseline: msgpackr unpack";

/**
 * msgpackr with the engine's decoder options (plain MessagePack, 64-bit integers as
 * numbers) and nothing else: the least any consumer of these bytes must pay, measured
 * in the same process as the case it is compared with.
 */
export function bareDecoder(): Unpackr {
  return new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });
}
