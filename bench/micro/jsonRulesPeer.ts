import { Engine as RulesEngine, type RuleProperties, type TopLevelCondition } from "json-rules-engine";
import type { CompiledAction } from "../../engine/decisions/DecisionConfig.js";
import type { RuleContext } from "../../engine/decisions/RuleContext.js";
import { CHANNEL_NAMES, CUSTOMER_NAMES, RuleSource } from "../../engine/index.js";
import { parse, type Expression } from "../../engine/rules/parser.js";

type Condition = TopLevelCondition | { fact: string; operator: string; value: unknown };

const OPERATORS: Readonly<Record<string, string>> = {
  "==": "equal",
  "!=": "notEqual",
  "<": "lessThan",
  "<=": "lessThanInclusive",
  ">": "greaterThan",
  ">=": "greaterThanInclusive",
  in: "in",
};

/** Rule-language calls written as a json-rules-engine condition on a list fact. */
const LIST_CALLS: Readonly<Record<string, string>> = { hasCategory: "categories", hasProduct: "products" };

/**
 * The same eligibility rules as the engine's catalog, for json-rules-engine: each
 * action's rule text is parsed by the engine's own parser and written as conditions
 * (`and` as `all`, `or` as `any`, `not` as `not`, comparisons with its operators,
 * `hasCategory(x)` as `categories contains x`), so the two sides cannot drift apart.
 * Facts are computed on demand from the same customer state, by the same readers the
 * engine's compiled rules use, through `ctx`; json-rules-engine caches each fact for
 * the length of one run, as it is designed to. Rule constructs the translation does
 * not know are refused, not approximated.
 */
export function jsonRulesPeer(actions: readonly CompiledAction[], ctx: RuleContext): RulesEngine {
  const rules: RuleProperties[] = actions
    .filter((action) => action.eligibility !== null)
    .map((action) => {
      const condition = toCondition(parse(new RuleSource(action.eligibility!.source)));
      const conditions = "fact" in condition ? { all: [condition] } : condition;
      return { name: action.id, conditions, event: { type: action.id } };
    });
  const peer = new RulesEngine(rules);
  for (const name of [...CUSTOMER_NAMES, ...CHANNEL_NAMES]) peer.addFact(name.name, () => name.read(ctx));
  return peer;
}

function toCondition(node: Expression): Condition {
  switch (node.kind) {
    case "binary":
      if (node.op === "and") return { all: [toCondition(node.left), toCondition(node.right)] };
      if (node.op === "or") return { any: [toCondition(node.left), toCondition(node.right)] };
      if (OPERATORS[node.op] !== undefined && node.left.kind === "name") {
        return { fact: node.left.path.join("."), operator: OPERATORS[node.op]!, value: constantOf(node.right) };
      }
      break;
    case "not":
      return { not: toCondition(node.operand) };
    case "call":
      if (LIST_CALLS[node.name] !== undefined && node.args.length === 1) {
        return { fact: LIST_CALLS[node.name]!, operator: "contains", value: constantOf(node.args[0]!) };
      }
      break;
  }
  throw new Error(`the json-rules-engine translation does not know rule construct "${node.kind}" at offset ${node.offset}`);
}

function constantOf(node: Expression): unknown {
  if (node.kind === "literal") return node.value;
  if (node.kind === "list") return node.items.map(constantOf);
  throw new Error(`the json-rules-engine translation needs a constant at offset ${node.offset}`);
}
