// Pieces every view uses: an error line, a state badge, a titled panel.
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';

export function ErrorLine({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const code = (error as { code?: string }).code;
  return html`<p class="error" role="alert">${code ? `${code}: ` : ''}${error.message}</p>`;
}

/** A coloured word for an agent or unit state (the class names the colour in style.css). */
export function Badge({ value }: { value: string }) {
  return html`<span class=${`badge s-${value.replace(/[^a-z-]/gi, '')}`}>${value}</span>`;
}

export function Panel({ title, children, testid }: { title: string; children: ComponentChildren; testid?: string }) {
  return html`<section class="panel" data-testid=${testid}><h2>${title}</h2>${children}</section>`;
}
