// The login page: asks for the node's bearer token (the file DATA_DIR/token), checks it against the API
// (GET /v1/agents) and keeps it in sessionStorage for this tab only.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, setToken } from './api.ts';

export function Login({ onLogin }: { onLogin: () => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const token = value.trim();
    try {
      await api('GET', '/v1/agents', undefined, token);
      setToken(token);
      onLogin();
    } catch (err) {
      setError((err as { status?: number }).status === 401 ? 'the node refused this token' : (err as Error).message);
    }
  };
  return html`<main class="login">
    <form onSubmit=${submit}>
      <h1>AIOS</h1>
      <p>Paste the node's bearer token: the file <code>token</code> in its data folder (<code>~/.aios/token</code> by default).</p>
      <input type="password" name="token" autocomplete="off" placeholder="token" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} />
      <button type="submit">log in</button>
      ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    </form>
  </main>`;
}
