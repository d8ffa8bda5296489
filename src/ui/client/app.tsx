import { useEffect } from "preact/hooks";
import { Link } from "./link.js";
import { MessageLine, showMessage } from "./message.js";
import { href, type Route } from "./route.js";
import { useRoute } from "./router.js";
import { DagsPage } from "./views/dags-page.js";
import { DurationsPage } from "./views/durations-page.js";
import { GraphPage } from "./views/graph-page.js";
import { GridPage } from "./views/grid-page.js";
import { LogPage } from "./views/log-page.js";
import { RunPage } from "./views/run-page.js";

function View({ route }: { readonly route: Route }) {
  switch (route.view) {
    case "dags":
      return <DagsPage />;
    case "grid":
      return <GridPage key={route.dag} dag={route.dag} />;
    case "graph":
      return <GraphPage key={route.dag} dag={route.dag} run={route.run} />;
    case "run":
      return <RunPage key={`${route.dag} ${route.run}`} dag={route.dag} run={route.run} />;
    case "log":
      return (
        <LogPage
          key={`${route.dag} ${route.run} ${route.task}`}
          dag={route.dag}
          run={route.run}
          task={route.task}
          tryNumber={route.tryNumber}
        />
      );
    case "durations":
      return <DurationsPage key={route.dag} dag={route.dag} task={route.task} />;
    case "not-found":
      return (
        <p class="empty">
          No page at <code>{route.path}</code>. <Link href={href.dags()}>All DAGs</Link>
        </p>
      );
  }
}

/** The page: a top bar, the message line, and the view the URL names. */
export function App() {
  const route = useRoute();
  // A message belongs to the page it was shown on.
  useEffect(() => showMessage(null), [route]);
  return (
    <>
      <header class="top">
        <Link href={href.dags()} class="brand">
          flow
        </Link>
      </header>
      <MessageLine />
      <main>
        <View route={route} />
      </main>
    </>
  );
}
