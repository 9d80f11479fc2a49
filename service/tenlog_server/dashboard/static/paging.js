// Page tokens walk forward only; to walk back, each page remembers the token it was reached from.
// The map lives in the tab's session storage, so "Previous" works after a reload or a shared link
// opened in the same tab, and a page's own token stays in the URL.
const PREVIOUS_KEY = "tenlog.previousPageTokens";
const REMEMBERED = 200;

function previousTokens() {
  try { return JSON.parse(sessionStorage.getItem(PREVIOUS_KEY) || "{}"); } catch { return {}; }
}

/** Remember that the page of token `next` was reached from the page of token `current` ("" = first). */
export function rememberPrevious(next, current) {
  const map = previousTokens();
  map[next] = current;
  const keys = Object.keys(map);
  if (keys.length > REMEMBERED) delete map[keys[0]];
  sessionStorage.setItem(PREVIOUS_KEY, JSON.stringify(map));
}

/** The token of the page before the page of `token`; "" (the first page) when it is not known. */
export function previousToken(token) {
  const previous = previousTokens()[token];
  return previous === undefined ? "" : previous;
}
