import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's utime and stime: USER_HZ, 100 on every Linux the project targets. */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** User plus system CPU time so far, in seconds. */
  readonly cpuSeconds: number;
  /** Resident set size now, in MiB. */
  readonly rssMiB: number;
  /** Peak resident set size so far, in MiB. */
  readonly peakRssMiB: number;
}

/** CPU and memory of a process on this machine, read from /proc (Linux). */
export function processUsage(pid: number): ProcessUsage {
  // The command name (field 2) may hold spaces; the fields after it are counted from its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the command name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { cpuSeconds: ticks / TICKS_PER_SECOND, rssMiB: statusKiB(status, "VmRSS") / 1024, peakRssMiB: statusKiB(status, "VmHWM") / 1024 };
}

function statusKiB(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match === null ? 0 : Number(match[1]);
}
