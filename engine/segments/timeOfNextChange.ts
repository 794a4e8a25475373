import type { RuleContext } from "../decisions/RuleContext.js";
import type { RuleName, TimeDependence } from "../decisions/ruleScope.js";
import type { Expression } from "../rules/parser.js";
import { DAY_MS, LifecycleFacts, lifecycleThresholdTimes } from "../state/CustomerState.js";

/** The earliest event time after `ctx.now` at which time alone may change a rule's value; Infinity if none. */
export type NextChange = (ctx: RuleContext) => number;

const never: NextChange = () => Number.POSITIVE_INFINITY;
const COMPARISONS: ReadonlySet<string> = new Set(["==", "!=", "<", "<=", ">", ">="]);

/**
 * Works out, from a rule's syntax, when passing time may turn it, so a segment's
 * membership can change exactly then with no event of the customer's own. The state
 * does not change between the customer's events, so the rule is a function of time
 * alone until the next one, and only the names with a TimeDependence move:
 * - `daysSinceLastPurchase > 60` (a days-since name against a constant) turns exactly
 *   when 60 days have passed, or 1 ms after, depending on the operator;
 * - a days-since name used any other way (in arithmetic, against another name) is
 *   looked at each time a whole number of days has passed since its timestamp;
 * - `status` at the lifecycle policy's thresholds;
 * - a window sum when its oldest day with data leaves the span.
 * The answer may be early (the rule is evaluated and holds), never late.
 */
export function timeOfNextChange(expression: Expression, names: ReadonlyMap<string, RuleName>): NextChange {
  const parts: NextChange[] = [];
  collect(expression, names, parts);
  if (parts.length === 0) return never;
  if (parts.length === 1) return parts[0]!;
  return (ctx) => {
    let earliest = Number.POSITIVE_INFINITY;
    for (const part of parts) {
      const at = part(ctx);
      if (at < earliest) earliest = at;
    }
    return earliest;
  };
}

function collect(node: Expression, names: ReadonlyMap<string, RuleName>, parts: NextChange[]): void {
  switch (node.kind) {
    case "literal":
      return;
    case "name": {
      const time = names.get(node.path.join("."))?.time;
      if (time !== undefined) parts.push(anyChange(time));
      return;
    }
    case "call":
    case "list":
      for (const child of node.kind === "call" ? node.args : node.items) collect(child, names, parts);
      return;
    case "not":
    case "negate":
      collect(node.operand, names, parts);
      return;
    case "binary": {
      if (COMPARISONS.has(node.op)) {
        const crossing = thresholdCrossing(node.left, node.right, names) ?? thresholdCrossing(node.right, node.left, names);
        if (crossing !== null) {
          parts.push(crossing);
          return;
        }
      }
      collect(node.left, names, parts);
      collect(node.right, names, parts);
      return;
    }
  }
}

/** A days-since name compared with a constant number of days: the comparison turns at that many days, or 1 ms after. */
function thresholdCrossing(side: Expression, other: Expression, names: ReadonlyMap<string, RuleName>): NextChange | null {
  if (side.kind !== "name") return null;
  const time = names.get(side.path.join("."))?.time;
  const days = constantNumber(other);
  if (time?.kind !== "since" || days === null) return null;
  const since = time.since;
  const offset = Math.ceil(days * DAY_MS);
  return (ctx) => {
    const ts = since(ctx.customer);
    if (ts === 0) return Number.POSITIVE_INFINITY;
    const at = ts + offset;
    if (at > ctx.now) return at;
    return at + 1 > ctx.now ? at + 1 : Number.POSITIVE_INFINITY;
  };
}

function constantNumber(node: Expression): number | null {
  if (node.kind === "literal") return typeof node.value === "number" ? node.value : null;
  if (node.kind === "negate") {
    const value = constantNumber(node.operand);
    return value === null ? null : -value;
  }
  return null;
}

const lifecycleFacts = new LifecycleFacts();
const lifecycleTimes = new Float64Array(3);

/** When a time-dependent name's value may next change, however the rule uses it. */
function anyChange(time: TimeDependence): NextChange {
  switch (time.kind) {
    case "since": {
      const since = time.since;
      return (ctx) => {
        const ts = since(ctx.customer);
        if (ts === 0) return Number.POSITIVE_INFINITY;
        // The next whole number of days since `ts`, and 1 ms after it for strict comparisons.
        const elapsed = ctx.now - ts;
        if (elapsed < 0) return ts;
        const whole = ts + Math.floor(elapsed / DAY_MS) * DAY_MS;
        return whole + 1 > ctx.now ? whole + 1 : whole + DAY_MS;
      };
    }
    case "lifecycle":
      return (ctx) => {
        lifecycleThresholdTimes(LifecycleFacts.of(ctx.customer, lifecycleFacts), ctx.lifecycle, lifecycleTimes);
        let earliest = Number.POSITIVE_INFINITY;
        for (let i = 0; i < lifecycleTimes.length; i++) {
          // Inactivity must exceed a threshold, so the status turns 1 ms after it.
          const at = lifecycleTimes[i]! + (i === 0 ? 0 : 1);
          if (at > ctx.now && at < earliest) earliest = at;
        }
        return earliest;
      };
    case "window": {
      // The sum changes only when a day with data leaves the span: the oldest such day
      // leaves first. (Each day would do too, but would wake every recent customer daily.)
      const { series, days } = time;
      return (ctx) => {
        const oldest = ctx.customer.window.oldestNonZero(series, ctx.now, days);
        return oldest < 0 ? Number.POSITIVE_INFINITY : (oldest + days) * DAY_MS;
      };
    }
  }
}
