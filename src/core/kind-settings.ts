import { OPTION_NAMES } from "./task-policy.js";
import { unknownOptionProblems } from "./unknown-options.js";

// What every factory takes besides the task policy's options.
const COMMON = ["upstream", "downstream", "onSuccess", "onFailure", "onRetry"];

/**
 * Splits what a task kind's factory (http, email) was given: its own settings, the options
 * every task takes (`rest`), and a problem for each name that is neither, with a suggestion
 * drawn from both lists (`methd` -> "method"). Unknown names are left out of `rest`, so that
 * they are reported once.
 */
export function splitKindSettings(
  options: Readonly<Record<string, unknown>>,
  settingNames: readonly string[],
): { settings: Record<string, unknown>; rest: Record<string, unknown>; problems: string[] } {
  const settings: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const key of Object.keys(options)) {
    if (settingNames.includes(key)) settings[key] = options[key];
    else if ((OPTION_NAMES as readonly string[]).includes(key) || COMMON.includes(key))
      rest[key] = options[key];
    else unknown.push(key);
  }
  const known = [...settingNames, ...OPTION_NAMES, ...COMMON];
  return { settings, rest, problems: unknownOptionProblems(unknown, known) };
}
