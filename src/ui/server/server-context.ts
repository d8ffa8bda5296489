import type { Workspace } from "../../ops/workspace.js";
import type { FlowLauncher } from "./detach-run.js";

/** What every route needs: where the state and pipelines are, and how to start `flow run`. */
export interface ServerContext {
  readonly workspace: Workspace;
  readonly launcher: FlowLauncher;
}
