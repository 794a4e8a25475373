import type { InteractionEvent } from "../events/InteractionEvent.js";
import type { BaseMetricReader } from "../metrics/BaseMetricReader.js";
import type { OnlineModels } from "../models/OnlineModels.js";
import { NO_LOOKALIKE, type Lookalike } from "../segments/profiles/Lookalike.js";
import type { CustomerState, LifecyclePolicy } from "../state/CustomerState.js";

/**
 * What a compiled rule reads. The engine keeps one instance and refills it per
 * evaluation, so evaluating a rule allocates nothing.
 */
export class RuleContext {
  customer: CustomerState;
  /** The triggering event; null outside triggers. */
  event: InteractionEvent | null = null;
  /** The channel a decision is being made for. */
  channel = "";
  /** Event-time "now": the engine's watermark. */
  now = 0;
  /** The moment's context sent with a decide request; null for triggers. */
  context: Readonly<Record<string, string | number | boolean>> | null = null;
  /** Whether the customer was known to the engine before this decision. */
  known = true;
  /** The online models, for the score names of rules; null when they are off. */
  models: OnlineModels | null = null;
  /** Lookalike scores from the latest segment profiles (`lookalike("id")`); the engine sets its own. */
  lookalike: Lookalike = NO_LOOKALIKE;
  /** The whole base's business metrics (`baseMetric(name, days)`); null outside an engine. */
  base: BaseMetricReader | null = null;

  readonly lifecycle: LifecyclePolicy;

  constructor(placeholder: CustomerState, lifecycle: LifecyclePolicy) {
    this.customer = placeholder;
    this.lifecycle = lifecycle;
  }
}
