import { render } from "preact";

// The web view's client: bundled by esbuild at build time into dist/ui/app.js (npm run bundle:ui).
function App() {
  return <p>flow</p>;
}

render(<App />, document.getElementById("app")!);
