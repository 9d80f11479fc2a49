// htm bound to Preact: every component writes html`...` instead of JSX, so there is no build step.
import { h } from "preact";
import htm from "htm";

export const html = htm.bind(h);
