import type { ComponentChildren } from "preact";
import { navigate } from "./router.js";

interface LinkProps {
  readonly href: string;
  readonly class?: string;
  readonly title?: string;
  readonly children: ComponentChildren;
}

/** An <a> that navigates with pushState; a modified click (new tab, download) stays the browser's. */
export function Link(props: LinkProps) {
  const onClick = (event: MouseEvent): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} class={props.class} title={props.title} onClick={onClick}>
      {props.children}
    </a>
  );
}
