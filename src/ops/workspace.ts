/**
 * Where an operation works: the pipelines folder, the state dir, the environment and "now". Every
 * surface builds one (the CLI from its flags and FLOW_* variables) and passes it to src/ops.
 */
export interface Workspace {
  readonly cwd: string;
  /** FLOW_IMPORT_TIMEOUT_MS, FLOW_CACHE_DIR, FLOW_LOCK_STALE_MS and the rest are read from it. */
  readonly env: NodeJS.ProcessEnv;
  readonly pipelinesDir: string;
  readonly stateDir: string;
  /** "Now" for schedules and manual runs: FLOW_NOW when the surface pins it, else the clock. */
  now(): Date;
}
