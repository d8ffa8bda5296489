// What every workload gets: sizes and repetition counts for this mode, the peers, a logger.
import type { Peer } from "./peers.js";

export interface BenchContext {
  readonly quick: boolean;
  /** Measured repetitions for workloads whose single run takes seconds. */
  readonly heavyReps: number;
  /** Measured repetitions for sub-second workloads. */
  readonly lightReps: number;
  /** Whether each runner runs once, unmeasured, before the repetitions. */
  readonly warmUp: boolean;
  readonly make: Peer;
  readonly ninja: Peer;
  /** Progress on stderr, so stdout stays the table. */
  log(message: string): void;
}

/** A runner of a workload: one call is one measured (or warm-up) repetition. */
export interface Runner<T> {
  readonly name: string;
  run(): T;
}

/**
 * Runs every runner `reps` times, interleaved and in a rotating order so that load from other
 * processes on the machine falls on all of them alike; a warm-up round comes first when asked.
 * Returns each runner's results in runner order.
 */
export function interleave<T>(
  runners: readonly Runner<T>[],
  reps: number,
  context: BenchContext,
  label: string,
): T[][] {
  if (context.warmUp) {
    context.log(`${label}: warm-up`);
    for (const runner of runners) runner.run();
  }
  const results: T[][] = runners.map(() => []);
  for (let rep = 0; rep < reps; rep++) {
    context.log(`${label}: repetition ${rep + 1}/${reps}`);
    for (let k = 0; k < runners.length; k++) {
      const index = (k + rep) % runners.length;
      results[index]!.push(runners[index]!.run());
    }
  }
  return results;
}
