// Summarises a V8 CPU profile (from `node --cpu-prof`): self time by function and by file or
// package, to say where flow spends its time. Used for the analysis in RESULTS.md.
// Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [function name]
//   With a function name, also prints the call stacks (4 frames up) that spend the most self
//   time in it: which flow code calls `mkdir`, say.
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}
interface Profile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
  readonly startTime: number;
  readonly endTime: number;
}

const profile = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as Profile;
const top = Number(process.argv[3] ?? 25);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

// Where a frame comes from: a package in node_modules, a file of flow's dist, or node itself.
function origin(url: string): string {
  if (url === "") return "(native/idle)";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return url;
  const dist = url.indexOf("/dist/");
  if (dist >= 0) return `flow ${url.slice(dist + 1)}`;
  return url.split("/").slice(-2).join("/");
}

const byFunction = new Map<string, number>();
const byOrigin = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  const name = `${frame.functionName || "(anonymous)"} ${origin(frame.url)}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  byOrigin.set(origin(frame.url), (byOrigin.get(origin(frame.url)) ?? 0) + us);
}
const total = profile.endTime - profile.startTime;
const print = (title: string, entries: Map<string, number>): void => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms profiled)`);
  for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`,
    );
  }
};
print("self time by file or package", byOrigin);
print("self time by function", byFunction);

const wanted = process.argv[4];
if (wanted) {
  const stacks = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if ((byId.get(id)!.callFrame.functionName || "(anonymous)") !== wanted) continue;
    const frames: string[] = [];
    for (
      let at = parentOf.get(id);
      at !== undefined && frames.length < Number(process.env.PROFILE_DEPTH ?? 4);
      at = parentOf.get(at)
    ) {
      const frame = byId.get(at)!.callFrame;
      frames.push(
        `${frame.functionName || "(anonymous)"} ${origin(frame.url)}:${frame.lineNumber + 1}`,
      );
    }
    const key = frames.join(" < ");
    stacks.set(key, (stacks.get(key) ?? 0) + us);
  }
  print(`callers of ${wanted}`, stacks);
}
