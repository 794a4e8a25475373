import { loadConfig } from "../../config/loadConfig.js";
import { stateLayoutFor } from "../../engine/index.js";
import { CustomerState } from "../../engine/state/CustomerState.js";
import { StateStore } from "../../engine/state/StateStore.js";

/**
 * What a new customer's state costs to set up when many stay in memory, as on a cold
 * start: each state kept, so the garbage collector sees the heap grow as it does in
 * the engine. A micro-benchmark loop, whose states die young, would hide that cost.
 * Compares the store's way (numbers carved from shared NumberSlabs chunks) with a
 * state owning its own typed array (what one-off prospect states do), in the same run.
 *
 *   node --import tsx bench/state/newCustomers.ts [--customers N]
 */
const customers = Number(process.argv[process.argv.indexOf("--customers") + 1]) || 200_000;
const layout = stateLayoutFor(loadConfig().engine);

function microsPerCustomer(create: (customerId: string) => CustomerState): number {
  const kept: CustomerState[] = [];
  const started = performance.now();
  for (let i = 0; i < customers; i++) kept.push(create(`C${i}`));
  return ((performance.now() - started) * 1000) / kept.length;
}

const own = microsPerCustomer((customerId) => new CustomerState(customerId, layout));
const store = new StateStore(layout, customers);
const slabs = microsPerCustomer((customerId) => store.create(customerId));
const round = (value: number) => Math.round(value * 100) / 100;
process.stdout.write(
  `${JSON.stringify({ customers, numbersPerCustomer: layout.offsets.length, ownArrayMicros: round(own), slabMicros: round(slabs), speedup: round(own / slabs) })}\n`,
);
