import { DAY_MS } from "../state/CustomerState.js";

/**
 * Calendar months (UTC) as whole numbers: months since January 1970 (0). Computed by
 * arithmetic (Hinnant's days-to-civil), so the hot path builds no Date per event.
 */
export function monthOf(ts: number): number {
  const z = Math.floor(ts / DAY_MS) + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1_460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  // Months counted from March, so that the leap day ends the year.
  const fromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const month = fromMarch < 10 ? fromMarch + 2 : fromMarch - 10;
  const year = yearOfEra + era * 400 + (month < 2 ? 1 : 0);
  return (year - 1970) * 12 + month;
}

/** `YYYY-MM` of a month number. */
export function monthName(month: number): string {
  const year = 1970 + Math.floor(month / 12);
  return `${year}-${String((month % 12) + 1).padStart(2, "0")}`;
}

const MONTH_NAME = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month number of `YYYY-MM`, or undefined if the text is not one. */
export function parseMonth(text: string): number | undefined {
  const match = MONTH_NAME.exec(text);
  return match === null ? undefined : (Number(match[1]) - 1970) * 12 + Number(match[2]) - 1;
}
