// The web dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a
// real node booted from the sources (temp data folder, port 0, services on): token login, each view with
// the node's real data, and one screenshot per view in test-results/dashboard/ (checked: PNGs of the
// viewport's size; no pixel diffs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { boot, type AiosNode } from '../../apps/cli/src/index.ts';
import { buildDashboard } from '../../apps/dashboard/build.mjs';
import { ROOT, tempDataDir } from '../e2e/cli-helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-results/dashboard');
const VIEWPORT = { width: 1280, height: 800 };
const KEEPER = `import { defineAgent } from '@aios/runtime';
export default defineAgent({ name: 'dash-keeper', onMessage(msg, ctx) { ctx.log('keeper got: ' + msg.text()); } });`;

let node: AiosNode;
let browser: Browser;
let base = '';
let token = '';

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** Width and height from a PNG's IHDR chunk; throws when the bytes are not a PNG. */
function pngSize(buf: Buffer): { width: number; height: number } {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buf.length < 24 || !buf.subarray(0, 8).equals(sig) || buf.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function tab(page: Page, label: string): Promise<void> {
  await page.getByRole('link', { name: label, exact: true }).click();
}

describe.skipIf(!existsSync(CHROMIUM))('dashboard - in headless Chromium', () => {
  beforeAll(async () => {
    await buildDashboard();
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    node = await boot({ dataDir: tempDataDir(), config: { api: true, port: 0, services: true } });
    base = `http://127.0.0.1:${node.api!.port}`;
    token = node.api!.token;
    const spawned = await call('POST', '/v1/agents', { source: KEEPER, filename: 'dash-keeper.ts' });
    expect(spawned.status).toBe(201);
    expect((await call('POST', '/v1/mem/items', { text: 'The capital of France is Paris, on the Seine.' })).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await node?.shutdown();
  });

  it('dashboard - static files have their content types and a strict CSP; the data needs the token', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect((await fetch(`${base}/ui/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${base}/ui/style.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/ui/../token`)).status).not.toBe(200);
    expect((await fetch(`${base}/ui/nothing.js`)).status).toBe(404);
    expect((await fetch(`${base}/v1/agents`)).status).toBe(401);
    expect((await fetch(`${base}/v1/model`)).status).toBe(401);
    const model = await call('GET', '/v1/model');
    expect(model.status).toBe(200);
    expect(model.json).toHaveProperty('device');
  });

  it('dashboard - token login, then every view shows the node\'s data; screenshots are PNGs of the viewport', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(`${base}/`);
    await page.getByPlaceholder('token').fill('not-the-token');
    await page.getByRole('button', { name: 'log in' }).click();
    await page.getByText('the node refused this token').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('aios.token')")).toBeNull();
    await shot(page, 'login');
    await page.getByPlaceholder('token').fill(token);
    await page.getByRole('button', { name: 'log in' }).click();

    // Agents: the spawned agent's row, with its state (the login is checked against the node first).
    const row = page.locator('tr[data-agent="dash-keeper"]');
    await row.waitFor();
    expect(await page.evaluate("sessionStorage.getItem('aios.token')")).toBe(token);
    expect(await row.textContent()).toMatch(/waiting|ready|running/);
    await page.locator('tr[data-agent="memoryd"]').waitFor();
    await shot(page, 'agents');

    // Services: initd's units, by level.
    await tab(page, 'Services');
    await page.locator('[data-unit="memoryd"]').waitFor();
    await page.locator('[data-unit="semantic-ipcd"]').waitFor();
    expect(await page.locator('.level').count()).toBeGreaterThan(0);
    await shot(page, 'services');

    // Events and logs: the agent's log line arrives over the WebSocket.
    await tab(page, 'Events & logs');
    await page.getByTestId('events-status').getByText(/^live/).waitFor();
    expect((await call('POST', '/v1/agents/dash-keeper/messages', { text: 'hello dashboard' })).status).toBe(202);
    await page.getByText('keeper got: hello dashboard').waitFor();
    await shot(page, 'events');

    // IPC and asks: semantic-ipcd's status, and the message just sent to the agent (from the audit log).
    await tab(page, 'IPC & asks');
    await page.getByTestId('asks-pending').waitFor();
    await page.getByTestId('ipc-flow').locator('tr', { hasText: 'dash-keeper' }).first().waitFor();
    await shot(page, 'asks');

    // Memory: a search hit for the item put before.
    await tab(page, 'Memory');
    await page.getByPlaceholder('search memory').fill('Paris');
    await page.getByRole('button', { name: 'search' }).click();
    await page.locator('tr.hit', { hasText: 'The capital of France is Paris' }).waitFor();
    await shot(page, 'memory');

    // Audit: the log verifies, and its records are listed.
    await tab(page, 'Audit');
    const verify = page.getByTestId('audit-verify');
    await verify.waitFor();
    expect(await verify.textContent()).toMatch(/^\s*verified: \d+ records/);
    expect(await page.getByTestId('audit').locator('tbody tr').count()).toBeGreaterThan(0);
    await shot(page, 'audit');

    // Plans: no /v1/plans route yet.
    await tab(page, 'Plans');
    await page.getByTestId('plans-status').getByText('planner not running').waitFor();
    await shot(page, 'plans');

    // Model device (the offline stand-in when no backend is configured): its queues.
    await tab(page, 'Model');
    const stats = page.getByTestId('model-stats');
    await stats.waitFor();
    expect(await stats.textContent()).toMatch(/queued\s*\d+/);
    await shot(page, 'model');

    expect(cspViolations).toEqual([]);
    await page.close();
    for (const name of ['login', 'agents', 'services', 'events', 'asks', 'memory', 'audit', 'plans', 'model']) {
      expect(pngSize(readFileSync(join(SHOTS, `${name}.png`)))).toEqual(VIEWPORT);
    }
  }, 120_000);

  it('dashboard - the plans tab lights up once /v1/plans answers', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.route('**/v1/plans', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify([{ id: 'p1', goal: 'book a trip to Paris', state: 'running' }]) }));
    await page.goto(`${base}/`);
    await page.evaluate(`sessionStorage.setItem('aios.token', ${JSON.stringify(token)})`);
    await page.goto(`${base}/#plans`);
    await page.reload();
    await page.getByText('book a trip to Paris').first().waitFor();
    expect(await page.getByText('planner not running').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('dashboard - a refused token (401) returns to the login page', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${base}/`);
    await page.evaluate("sessionStorage.setItem('aios.token', 'stale-token')");
    await page.reload();
    await page.getByRole('button', { name: 'log in' }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('aios.token')")).toBeNull();
    await page.close();
  }, 60_000);
});
