/** The channels customers and the company talk on; the index of each is its slot in counters. */
export const CHANNELS = ["web", "app", "callcenter", "branch", "pos", "email", "sms"] as const;

export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_INDEX: ReadonlyMap<string, number> = new Map(
  CHANNELS.map((channel, index) => [channel, index]),
);

export function isChannel(value: string): value is Channel {
  return CHANNEL_INDEX.has(value);
}
