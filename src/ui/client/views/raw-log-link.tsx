import { token } from "../api.js";
import { showError } from "../message.js";

/**
 * The whole log as text/plain. A plain link cannot send the X-Flow-Token header (and a token in a
 * URL ends up in the history), so fetch it with the header and open the text as a blob.
 */
export function RawLogLink(props: { readonly path: string }) {
  const open = async (event: MouseEvent): Promise<void> => {
    event.preventDefault();
    try {
      const response = await fetch(props.path, { headers: { "X-Flow-Token": token() } });
      if (!response.ok) throw new Error(`raw log: ${response.status} ${response.statusText}`);
      const blob = new Blob([await response.text()], { type: "text/plain;charset=utf-8" });
      window.open(URL.createObjectURL(blob), "_blank", "noopener");
    } catch (error) {
      showError(error);
    }
  };
  return (
    <a class="raw" href={props.path} onClick={(event) => void open(event)}>
      raw
    </a>
  );
}
