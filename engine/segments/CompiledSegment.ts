import { createHash } from "node:crypto";
import type { RuleContext } from "../decisions/RuleContext.js";
import { CUSTOMER_NAMES, type RuleName } from "../decisions/ruleScope.js";
import type { SegmentDefinition } from "../EngineSettings.js";
import { compilePredicate, type CompiledRule } from "../rules/compileRule.js";
import { parse } from "../rules/parser.js";
import type { RuleScope } from "../rules/RuleScope.js";
import type { RuleSource } from "../rules/RuleSource.js";
import { timeOfNextChange, type NextChange } from "./timeOfNextChange.js";

/** Membership is a bit per segment in a 32-bit integer. */
export const MAX_SEGMENTS = 31;

/** A segment checked and compiled once per load: its rule, and when time alone may turn it. */
export interface CompiledSegment {
  readonly id: string;
  readonly title: string;
  /** The segment's bit in CustomerState.segments. */
  readonly mask: number;
  readonly when: CompiledRule<RuleContext, boolean>;
  readonly nextChange: NextChange;
}

const customerNames: ReadonlyMap<string, RuleName> = new Map(CUSTOMER_NAMES.map((name) => [name.name, name]));

/** `scope` must offer `inSegment` over the segments defined before this one. */
export function compileSegment(definition: SegmentDefinition, index: number, source: RuleSource, scope: RuleScope<RuleContext>): CompiledSegment {
  return {
    id: definition.id,
    title: definition.title ?? definition.id,
    mask: 1 << index,
    when: compilePredicate(source, scope),
    nextChange: timeOfNextChange(parse(source), customerNames),
  };
}

/**
 * Names the segment definitions (ids, order and rules): a customer's membership bits
 * and the checkpointed sizes are only meaningful under the definitions that made them.
 * A 31-bit integer, so that every customer state can keep it as a small integer.
 */
export function segmentsFingerprint(definitions: readonly SegmentDefinition[]): number {
  if (definitions.length === 0) return 0;
  const digest = createHash("sha256")
    .update(JSON.stringify(definitions.map((definition) => [definition.id, definition.when])))
    .digest();
  return (digest.readUInt32BE(0) >>> 1) || 1;
}
