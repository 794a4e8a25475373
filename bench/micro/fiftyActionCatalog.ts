import { readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { DEFAULT_CONFIG_PATH, parseConfig, type CxConfig } from "../../config/loadConfig.js";
import { CHANNELS, type ActionDefinition } from "../../engine/index.js";
import { Rng } from "../../simulator/Rng.js";

export const CATALOG_SIZE = 50;

/**
 * Eligibility rules of the complexity a real catalog has: two to four conditions over
 * windows, lifetime figures, products, lifecycle, attitude, consent and the request's
 * context. `$n`, `$m` are numbers, `$c` a category, `$p` a product, `$ch` a channel.
 */
const RULE_TEMPLATES: readonly string[] = [
  'revenue30d >= $n and openComplaints == 0 and plan != "premium"',
  'hasCategory("$c") and not hasProduct("$p") and status != "churned"',
  'status in ["new", "active"] and tenureDays > $m and hasConsent("$ch")',
  'npsClass == "promoter" and purchases >= $m and openComplaints == 0',
  "daysSinceLastPurchase > $m and daysSinceLastDecline > 14 and openComplaints == 0",
  "serviceCalls30d >= 2 or complaints30d > 0",
  'context.page == "/offers" and revenue > $n and not cancelled',
  "avgCsat < 3 and lastCes >= 5",
  'region in ["north", "capital"] and digitalVisits7d >= 2 and purchases30d == 0',
  'attrs.segmentHint == "high-value" and profit > $n and status == "active"',
  "interactionsOn(\"callcenter\") > 3 and lastNps <= 6 and openComplaints == 0",
  'plan == "basic" and revenue30d > $n / 2 and (hasCategory("phones") or hasCategory("tv"))',
];
const CATEGORIES = ["phones", "accessories", "tv", "broadband", "insurance", "plans"] as const;
const PRODUCTS = ["case", "charger", "earbuds", "device-care", "fiber-1000", "tv-sports"] as const;
const KINDS = ["offer", "offer", "service", "message"] as const;

/**
 * The default configuration with its catalog grown to 50 actions (its own nine, so its
 * triggers still resolve, and 41 seeded ones on varied channels with rules drawn from
 * the templates above), read through the configuration loader as a file would be.
 */
export function fiftyActionConfig(seed = 50): CxConfig {
  const rng = new Rng(seed);
  const document = parse(readFileSync(DEFAULT_CONFIG_PATH, "utf8")) as { version: string; actions: ActionDefinition[] };
  const fill = (template: string) =>
    template
      .replaceAll("$n", String(50 + 25 * rng.int(12)))
      .replaceAll("$m", String(1 + rng.int(90)))
      .replaceAll("$ch", rng.pick(["email", "sms", "app"]))
      .replaceAll("$c", rng.pick(CATEGORIES))
      .replaceAll("$p", rng.pick(PRODUCTS));
  for (let i = document.actions.length; i < CATALOG_SIZE; i++) {
    const channels = CHANNELS.filter(() => rng.chance(0.35));
    document.actions.push({
      id: `bench-action-${i}`,
      kind: rng.pick(KINDS),
      channels: channels.length > 0 ? channels : [rng.pick(CHANNELS)],
      value: 5 + rng.int(150),
      weight: Math.round((0.5 + rng.next()) * 10) / 10,
      eligibility: fill(RULE_TEMPLATES[i % RULE_TEMPLATES.length]!),
    });
  }
  document.version = `bench-catalog-${CATALOG_SIZE}`;
  return parseConfig(stringify(document), `generated ${CATALOG_SIZE}-action catalog`);
}
