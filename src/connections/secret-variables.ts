import { connectionEnvName } from "../core/connection.js";

const CONNECTION_PREFIX = connectionEnvName("");

/**
 * Whether flow reads a secret from this environment variable: a connection (`FLOW_CONN_<ID>`) or
 * the queue's Redis URL (`redis://:password@host`).
 */
export function isSecretVariable(name: string): boolean {
  return name.startsWith(CONNECTION_PREFIX) || name === "FLOW_REDIS_URL";
}

/**
 * `env` without the variables flow reads secrets from: the environment bash tasks inherit. Their
 * output goes to the log unmasked (`env`, `set -x`), so they get no connections. Airflow passes
 * AIRFLOW_CONN_* on to a BashOperator's command; flow does not.
 */
export function withoutSecretVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!isSecretVariable(name)) kept[name] = value;
  return kept;
}
