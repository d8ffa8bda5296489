import type { ComponentChildren } from "preact";
import { Link } from "./link.js";
import { href } from "./route.js";

type Tab = "grid" | "graph" | "durations" | "run" | "log";

/** The DAG's heading: the way back to the list, and its views as tabs. */
export function DagNav(props: {
  readonly dag: string;
  readonly tab: Tab;
  readonly children?: ComponentChildren;
}) {
  const tab = (name: Tab, url: string, label: string) => (
    <Link href={url} class={props.tab === name ? "tab current" : "tab"}>
      {label}
    </Link>
  );
  return (
    <header class="dag-nav">
      <div class="crumbs">
        <Link href={href.dags()}>DAGs</Link> / <strong>{props.dag}</strong>
      </div>
      <nav class="tabs">
        {tab("grid", href.grid(props.dag), "Grid")}
        {tab("graph", href.graph(props.dag), "Graph")}
        {tab("durations", href.durations(props.dag), "Durations")}
      </nav>
      {props.children}
    </header>
  );
}
