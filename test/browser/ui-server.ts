import type { ResultPromise } from "execa";
import type { Project } from "../e2e/harness.js";

/** A running `flow ui` of a temp project: its printed URL (with the token) and how to stop it. */
export interface UiServer {
  /** As printed: http://127.0.0.1:<port>/?token=<hex>. */
  readonly url: string;
  readonly origin: string;
  /** A page of the server, with the token so the client adopts it. */
  pageUrl(path: string): string;
  stop(): Promise<void>;
}

const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/;

/** Starts the built `flow ui --port 0` in the project and waits for the URL it prints. */
export async function startUi(project: Project): Promise<UiServer> {
  const child: ResultPromise = project.spawn(["ui", "--port", "0"]);
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flow ui printed no URL:\n${output}`)), 15_000);
    const onData = (data: Buffer): void => {
      output += data.toString();
      const match = URL_PATTERN.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (data: Buffer) => (output += data.toString()));
    void child.then((result) => {
      clearTimeout(timer);
      reject(new Error(`flow ui exited (${result.exitCode}) before printing a URL:\n${output}`));
    });
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get("token") ?? "";
  return {
    url,
    origin: parsed.origin,
    pageUrl: (path) => `${parsed.origin}${path}${path.includes("?") ? "&" : "?"}token=${token}`,
    async stop() {
      child.kill("SIGTERM");
      await child;
    },
  };
}
