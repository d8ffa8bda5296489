import { render } from "preact";
import { adoptToken } from "./api.js";
import { App } from "./app.js";
import { connectEvents } from "./events.js";

// The web view's client: bundled by esbuild at build time into dist/ui/app.js (npm run bundle:ui).
// The token is read before anything calls the API or opens the event stream.
adoptToken();
connectEvents();
const root = document.getElementById("app");
if (root !== null) render(<App />, root);
