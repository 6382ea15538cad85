// Reading a V8 .cpuprofile (node --cpu-prof): where the relay's time goes while it relays.
// Samples are attributed by their stack: only stacks that are relay work count (a frame of
// the WebSocket receiver or of the uplink's message handler is on them), so start-up and
// idle time do not dilute the shares.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Buckets {
  /** Relay work sampled, ms. */
  totalMs: number;
  /** Share of relay work per bucket, %. */
  shares: Record<string, number>;
}

/** First matching rule wins; each names a bucket and what a stack must contain. */
const RULES: { bucket: string; match: RegExp }[] = [
  { bucket: 'write to the page socket (ws Sender, writev once per upstream read)', match: /^(sendFrame|writev|writevGeneric|dispatch) |lib\/sender\.js/ },
  { bucket: 'classify (Buffer → string, JSON.parse, checks)', match: /^(classifyDownstream|parseObject) / },
  { bucket: 'scan for the token (Buffer.includes)', match: /^(indexOfBuffer|includes) .*buffer/ },
  { bucket: 'bookkeeping (stats, lastMessageAt)', match: /^toISOString / },
  { bucket: 'read and parse frames from the upstream (ws Receiver)', match: /lib\/receiver\.js/ },
];

const IS_RELAY_WORK = /lib\/receiver\.js|server\/(uplink|relay|renderer-hub)\.(ts|js)/;

export function readProfile(dir: string): CpuProfile {
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .at(-1);
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
}

export function relayBuckets(profile: CpuProfile): Buckets {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url}`;
  const totals = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node !== undefined) stack.push(label(node));
    }
    if (!stack.some((frame) => IS_RELAY_WORK.test(frame))) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    // The innermost frames decide: walk from the leaf outwards, first rule that matches.
    let bucket = 'other';
    outer: for (const frame of stack) {
      for (const rule of RULES) {
        if (rule.match.test(frame)) {
          bucket = rule.bucket;
          break outer;
        }
      }
    }
    totals.set(bucket, (totals.get(bucket) ?? 0) + ms);
  });
  const shares: Record<string, number> = {};
  for (const [bucket, ms] of [...totals.entries()].sort((a, b) => b[1] - a[1])) shares[bucket] = total === 0 ? 0 : (ms / total) * 100;
  return { totalMs: total, shares };
}
