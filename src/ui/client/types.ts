// The JSON shapes of flow ui's API, as /work/notes/ui-contract.md fixes them (snake_case, as the
// CLI's --json output): the client reads them and never sends them back.

export interface NextRunJson {
  readonly logical_date: string;
  readonly data_interval_start: string;
  readonly data_interval_end: string;
  readonly due_at: string;
}

export interface RunSummaryJson {
  readonly run_id: string;
  readonly run_type: string;
  readonly state: string;
  readonly logical_date: string;
  /** As RunJson's. */
  readonly lost_at: string | null;
}

export interface DagListItemJson {
  readonly dag_id: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly schedule: string | null;
  readonly timezone: string;
  readonly file: string;
  readonly next_run: NextRunJson | null;
  readonly last_runs: readonly RunSummaryJson[];
  readonly total_runs: number;
  /** A run file of this DAG flow cannot read (the CLI's one-line message): no runs are listed. */
  readonly error: string | null;
}

export interface ImportErrorJson {
  readonly file: string;
  readonly line: number | null;
  readonly message: string;
}

export interface DagsJson {
  readonly dags: readonly DagListItemJson[];
  readonly import_errors: readonly ImportErrorJson[];
}

export interface TaskSpecJson {
  readonly task_id: string;
  readonly kind: "bash" | "function";
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  readonly trigger_rule: string;
  readonly depth: number;
}

export interface DagJson {
  readonly dag_id: string;
  readonly schedule: string | null;
  readonly timezone: string;
  readonly tasks: readonly TaskSpecJson[];
}

export interface TaskJson {
  readonly state: string;
  readonly try_number: number;
  readonly max_tries: number;
  readonly interrupted_tries: number;
  readonly start: string | null;
  readonly end: string | null;
  readonly duration_ms: number | null;
  readonly reason: string | null;
  readonly next_try_at: string | null;
  readonly exit_code: number | null;
  /** The queue worker's host that ran the try (`--executor queue`), else null. */
  readonly worker: string | null;
  /** Its try was lost with the run's flow process: it ends at the run's `lost_at`. */
  readonly lost: boolean;
}

export interface RunJson {
  readonly run_id: string;
  readonly run_type: string;
  readonly state: string;
  readonly logical_date: string;
  readonly data_interval_start: string;
  readonly data_interval_end: string;
  readonly queued_at: string | null;
  readonly start: string | null;
  readonly end: string | null;
  readonly reason: string | null;
  /**
   * The run's flow process died and no command has recovered it yet: when that process was last
   * seen alive. The run is shown as the recovery will record it. Null otherwise.
   */
  readonly lost_at: string | null;
  readonly tasks: Readonly<Record<string, TaskJson>>;
}

/** A run event's data, and GET /api/dags/:dag/runs/:run. */
export interface DagRunJson extends RunJson {
  readonly dag_id: string;
}

export interface GridJson {
  readonly dag: DagJson;
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly runs: readonly RunJson[];
}

export interface PointJson {
  readonly x: number;
  readonly y: number;
}

export interface GraphNodeJson {
  readonly task_id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly state: string | null;
  readonly trigger_rule: string;
  readonly default_rule: boolean;
}

export interface GraphJson {
  readonly run_id: string | null;
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly GraphNodeJson[];
  readonly edges: readonly {
    readonly from: string;
    readonly to: string;
    readonly points: readonly PointJson[];
  }[];
}

export interface LogChunkJson {
  readonly try_number: number;
  readonly tries: number;
  readonly state: string;
  readonly data: string;
  readonly offset: number;
  readonly next_offset: number;
  readonly size: number;
  readonly exists: boolean;
}

export interface DurationsJson {
  readonly task_id: string;
  readonly points: readonly {
    readonly run_id: string;
    readonly logical_date: string;
    readonly state: string;
    readonly duration_ms: number | null;
    readonly try_number: number;
    readonly lost: boolean;
  }[];
}

export interface ClearInstanceJson {
  readonly run_id: string;
  readonly task_id: string;
  readonly state: string;
  readonly try_number: number;
  readonly max_tries: number;
}

export interface ClearPreviewJson {
  readonly fingerprint: string;
  readonly instances: readonly ClearInstanceJson[];
}

/** The selectors of a clear, as the CLI's flags. */
export interface ClearBody {
  run_id?: string;
  start?: string;
  end?: string;
  task?: string;
  only_failed?: boolean;
  downstream?: boolean;
  upstream?: boolean;
}
