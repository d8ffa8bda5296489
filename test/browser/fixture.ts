import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { makeProject, type FlowResult, type Project } from "../e2e/harness.js";
import { launchBrowser, newPage } from "./browser.js";
import { startUi, type UiServer } from "./ui-server.js";

/** What a browser test file shares: its project, `flow ui` and browser; `page` is new per test. */
export interface UiFixture {
  project: Project;
  ui: UiServer;
  browser: Browser;
  page: Page;
  /** Runs a flow command in the project and checks its exit code. */
  flowOk(args: string[], exitCode?: number): Promise<FlowResult>;
}

/**
 * Registers the hooks of a browser test file: a temp project with `files`, `prepare` (real flow
 * commands that make the state), then `flow ui` and one chromium; a fresh context for each test.
 */
export function useUi(
  files: Record<string, string>,
  prepare: (fixture: UiFixture) => Promise<void> = async () => {},
): UiFixture {
  const fixture = {} as UiFixture;
  fixture.flowOk = async (args, exitCode = 0) => {
    const result = await fixture.project.flow(args);
    expect(result.exitCode, `flow ${args.join(" ")}: ${result.stderr}`).toBe(exitCode);
    return result;
  };
  beforeAll(async () => {
    fixture.project = await makeProject(files);
    await prepare(fixture);
    [fixture.ui, fixture.browser] = await Promise.all([startUi(fixture.project), launchBrowser()]);
  }, 120_000);
  // Uncaught errors in the page and CSP refusals (an inline style or script would be one) fail the
  // test that caused them; failed requests (a 409 a test asks for) are not problems.
  let problems: string[] = [];
  beforeEach(async () => {
    problems = [];
    fixture.page = await newPage(fixture.browser);
    fixture.page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    fixture.page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
  });
  afterEach(async () => {
    await fixture.page?.context().close();
    expect(problems).toEqual([]);
  });
  afterAll(async () => {
    await fixture.browser?.close();
    await fixture.ui?.stop();
    await fixture.project?.cleanup();
  });
  return fixture;
}
