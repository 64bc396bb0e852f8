// Entry point of the dashboard bundle: the login page until a token is kept, then the app; back to the
// login page when the node refuses the token (401) or on log out.
import { render } from 'preact';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { clearToken, getToken, onUnauthorised } from './api.ts';
import { Login } from './login.ts';
import { App } from './app.ts';

function Root() {
  const [authed, setAuthed] = useState(getToken() !== null);
  useEffect(() => onUnauthorised(() => {
    clearToken();
    setAuthed(false);
  }), []);
  if (!authed) return html`<${Login} onLogin=${() => setAuthed(true)} />`;
  return html`<${App} onLogout=${() => {
    clearToken();
    setAuthed(false);
  }} />`;
}

render(html`<${Root} />`, document.getElementById('root')!);
