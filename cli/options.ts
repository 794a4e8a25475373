import { statSync } from "node:fs";
/** A command-line mistake: reported with the command's usage, exit code 2. */
export class UsageError extends Error {}

/** Parsed options; an option given `multiple: true` is a list. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** A numeric option within bounds, or its default when absent. */
export function numberOption(
  values: OptionValues,
  name: string,
  defaultValue: number,
  bounds: { min: number; max: number; integer?: boolean },
): number {
  const raw = values[name];
  if (raw === undefined) return defaultValue;
  const value = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(value)) {
    throw new UsageError(`--${name} must be a number, got "${String(raw)}"`);
  }
  if (bounds.integer && !Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number, got ${value}`);
  if (value < bounds.min || value > bounds.max) {
    throw new UsageError(`--${name} must be between ${bounds.min} and ${bounds.max}, got ${value}`);
  }
  return value;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const raw = values[name];
  return typeof raw === "string" ? raw : undefined;
}

/** The size of a file a command reads, or a UsageError saying why it cannot be read. */
export function fileSize(file: string): number {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!stats.isFile()) throw new UsageError(`${file} is not a file`);
  return stats.size;
}
