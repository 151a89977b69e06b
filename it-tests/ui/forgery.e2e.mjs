// Forged requests in Debian's chromium: the browser logs in with Sling's form login (the sling.formauth cookie, which
// must be HttpOnly and SameSite=Lax), then opens pages served from another origin on loopback (this script's own HTTP
// server, same host name, another port: the same site, so the cookie goes along) that auto-submit a form POST with
// store=true to ASSET and one with :operation=delete. Both must be answered 403 by the plugin's same-origin filter
// although they carry the login cookie. Then the editor page's own kind of Save (a fetch from a page of the
// instance) must store a rendition.
// Writes "store=<status>", "delete=<status>" and "saved=<rendition>" lines to RESULT for ForgedRequestEndToEndIT,
// which checks the repository: nothing written by the forgeries, the asset still there.
// Environment: BASE_URL, ASSET (path of an image), MASK (path of its mask), RESULT, CHROMIUM (default
// /usr/bin/chromium), SLING_USER / SLING_PASSWORD (admin/admin).
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
};
const base = env('BASE_URL');
const asset = env('ASSET');
const mask = env('MASK');
const user = env('SLING_USER', 'admin');
const password = env('SLING_PASSWORD', 'admin');
const step = (text) => console.log(`[forgery e2e] ${text}`);
const check = (ok, message) => { if (!ok) throw new Error(message); };

// the attacker's pages: each submits one form to the instance as soon as it loads
const forms = {
  '/store': { action: `${base}${asset}.inpaint.json`, fields: { store: 'true', maskPath: mask } },
  '/delete': { action: `${base}${asset}`, fields: { ':operation': 'delete' } },
};
const server = createServer((request, response) => {
  const form = forms[request.url];
  if (!form) {
    response.writeHead(404).end();
    return;
  }
  const inputs = Object.entries(form.fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`).join('');
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>prize</title>'
    + `<form method="post" enctype="multipart/form-data" action="${form.action}">${inputs}</form>`
    + '<script>document.forms[0].submit()</script>');
});
await new Promise((resolve) => server.listen(0, resolve));
const foreign = `http://localhost:${server.address().port}`;
check(foreign !== new URL(base).origin, 'the foreign page must have another origin');

const browser = await chromium.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const lines = [];
try {
  const context = await browser.newContext();
  const page = await context.newPage();

  step('form login');
  await page.goto(`${base}/system/sling/form/login`);
  const loginResponse = page.waitForResponse((r) => r.url().endsWith('/j_security_check'));
  const login = await page.evaluate(async ([u, p]) => (await fetch('/j_security_check', {
    method: 'POST', body: new URLSearchParams({ j_username: u, j_password: p, j_validate: 'true' }),
  })).status, [user, password]);
  check(login === 200, `form login answered ${login}`);
  const setCookie = await (await loginResponse).headerValue('set-cookie');
  step(`login cookie: ${setCookie.replace(/=[^;]+/, '=…')}`);
  check(/^sling\.formauth=[^;]+;.*; HttpOnly; SameSite=Lax$/.test(setCookie), `login cookie flags: ${setCookie}`);
  check((await context.cookies(base)).some((c) => c.name === 'sling.formauth'), 'no sling.formauth cookie');
  const editor = await page.goto(`${base}${asset}.inpaint.html`);
  check(editor.status() === 200, `the logged-in browser gets ${editor.status()} for the editor`);

  // a forgery: open the foreign page, catch the POST it makes to the instance
  const forge = async (name) => {
    const target = forms[`/${name}`].action;
    const answer = page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST');
    await page.goto(`${foreign}/${name}`);
    const response = await answer;
    const headers = await response.request().allHeaders();
    const body = await response.text();
    step(`${name}: ${response.status()} ${body}`);
    check(headers.origin === foreign, `the forged ${name} was sent with Origin ${headers.origin}`);
    check((headers.cookie ?? '').includes('sling.formauth='), `the forged ${name} went without the login cookie`);
    check(response.status() === 403, `the forged ${name} was answered ${response.status()}: ${body}`);
    check(body.includes('cross-origin'), `the forged ${name} was refused by something else: ${body}`);
    lines.push(`${name}=${response.status()}`);
  };
  await forge('store');
  await forge('delete');

  step('save from a page of the instance, as the editor does');
  await page.goto(`${base}${asset}.inpaint.html`);
  const saved = await page.evaluate(async ([path, maskPath]) => {
    const form = new FormData();
    form.append('store', 'true');
    form.append('maskPath', maskPath);
    const r = await fetch(`${path}.inpaint.json`, { method: 'POST', body: form, credentials: 'same-origin' });
    return { status: r.status, body: await r.text() };
  }, [asset, mask]);
  step(`own save: ${saved.status} ${saved.body}`);
  check(saved.status === 201, `the own page's save was answered ${saved.status}: ${saved.body}`);
  lines.push(`saved=${JSON.parse(saved.body).rendition}`);
  writeFileSync(env('RESULT'), lines.join('\n') + '\n');
} finally {
  await browser.close();
  server.close();
}
