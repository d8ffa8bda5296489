import { useEffect, useState } from "preact/hooks";
import { parseRoute, type Route } from "./route.js";

const NAVIGATED = "flow:navigated";

/** Goes to a page without reloading: pushState, then every useRoute hook re-reads the location. */
export function navigate(url: string): void {
  if (url === location.pathname + location.search) return;
  history.pushState(null, "", url);
  window.dispatchEvent(new Event(NAVIGATED));
  window.scrollTo(0, 0);
}

/** The current route, updated on navigate() and on the browser's back and forward. */
export function useRoute(): Route {
  const read = (): Route => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = (): void => setRoute(read());
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return route;
}
