import { eventJsonSchema } from "../../engine/index.js";

export async function runSchema(): Promise<number> {
  process.stdout.write(`${JSON.stringify(eventJsonSchema(), null, 2)}\n`);
  return 0;
}
