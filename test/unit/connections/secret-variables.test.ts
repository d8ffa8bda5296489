import { describe, expect, it } from "vitest";
import {
  isSecretVariable,
  withoutSecretVariables,
} from "../../../src/connections/secret-variables.js";

describe("the variables bash tasks do not inherit", () => {
  it.each([
    ["a connection", "FLOW_CONN_SALES_API", true],
    ["the queue's Redis URL", "FLOW_REDIS_URL", true],
    ["flow's other settings", "FLOW_HOME", false],
    ["a try's context", "FLOW_TASK_ID", false],
    ["not flow's", "AIRFLOW_CONN_X", false],
    ["case matters, as in the lookup", "flow_conn_x", false],
  ])("%s: %s", (_name, variable, secret) => {
    expect(isSecretVariable(variable)).toBe(secret);
  });

  it("withoutSecretVariables keeps the rest and leaves its input alone", () => {
    const env = { PATH: "/bin", FLOW_CONN_API: "http://u:p@h", FLOW_REDIS_URL: "redis://:p@h" };
    expect(withoutSecretVariables(env)).toEqual({ PATH: "/bin" });
    expect(env.FLOW_CONN_API).toBe("http://u:p@h");
  });
});
