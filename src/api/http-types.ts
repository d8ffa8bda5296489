import type { Json } from "../core/json.js";
import type { TaskContext } from "./context.js";
import type { DependencyOptions, TaskCallbacks, TaskOptions } from "./definitions.js";

/** A value, or a function of the run context that computes it when the try starts. */
export type FromContext<T> = T | ((ctx: TaskContext) => T);

/** A response as http's `check`, an HTTP sensor and `performHttp` see it: the body is read whole. */
export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  /** The URL that answered (after redirects), without credentials. */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON (throws when it is not JSON). */
  json(): unknown;
}

/** What only http tasks take (Airflow's HttpOperator, with Node's own fetch). */
export interface HttpSettings {
  /** GET (default), HEAD, POST, PUT, PATCH, DELETE or OPTIONS. */
  method?: string;
  /** An absolute URL: http:, https:, or file: (read from disk). Or give `connection` + `path`. */
  url?: FromContext<string>;
  /** A connection id: its URI's scheme, host, port and path are the base URL, its login Basic auth. */
  connection?: string;
  /** Appended to the connection's base URL. */
  path?: FromContext<string>;
  query?: FromContext<Record<string, string | number | boolean>>;
  headers?: FromContext<Record<string, string>>;
  /** A request body as text; or `json`, sent with `content-type: application/json`. */
  body?: FromContext<string>;
  json?: FromContext<Json>;
  /** Statuses that succeed: a list, or a function of the status. Default: 200-299. */
  expectedStatus?: number[] | ((status: number) => boolean);
  /** Returns false (or a promise of false) to fail the try: "check returned false". */
  check?: (response: HttpResponse) => unknown;
  /** The task's result: the body parsed as JSON, as text (default), or none. */
  responseAs?: "json" | "text" | "none";
  /** Writes the body to this file (relative to the pipeline's folder); the result is its path and size. */
  saveTo?: FromContext<string>;
}

export interface HttpOptions extends TaskOptions, TaskCallbacks, DependencyOptions, HttpSettings {}
