// Drives the editor in Debian's chromium: from the folder's list page into a picture's editor, paints one stroke,
// removes, saves. Screenshots go to SCREENSHOTS; the saved rendition's path is written to RESULT for the Java test
// (EditorEndToEndIT), which checks the pixels over HTTP.
// Environment: BASE_URL, FOLDER, ASSET (its name in FOLDER), STROKE ("x0,y0,x1,y1,size" in image pixels),
// SCREENSHOTS, RESULT, CHROMIUM (default /usr/bin/chromium), SLING_USER / SLING_PASSWORD (admin/admin).
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
};
const base = env('BASE_URL');
const folder = env('FOLDER');
const assetName = env('ASSET');
const [x0, y0, x1, y1, size] = env('STROKE').split(',').map(Number);
const shots = env('SCREENSHOTS');
mkdirSync(shots, { recursive: true });

// a fresh profile each run, so nothing from an earlier run (cookies, cache) changes what the page does
const profile = mkdtempSync(join(tmpdir(), 'inpaint-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 1280, height: 800 },
  // Sling serves anonymous requests instead of challenging them (and httpCredentials only answer a challenge),
  // so basic auth goes with every request the page makes
  extraHTTPHeaders: { Authorization: 'Basic '
    + Buffer.from(`${env('SLING_USER', 'admin')}:${env('SLING_PASSWORD', 'admin')}`).toString('base64') },
});
const step = (text) => console.log(`[editor e2e] ${text}`);
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => step(`browser ${m.type()}: ${m.text()}`));
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));

  step('list page');
  await page.goto(`${base}${folder}.inpaint.html`);
  await page.getByRole('link', { name: assetName }).click();
  await page.waitForSelector('body.ready');
  const status = page.locator('#status');
  await page.screenshot({ path: join(shots, 'editor-opened.png') });

  step('paint');
  await page.locator('#size').fill(String(size));
  // the shortcuts change the size and undo/redo the stroke; the stroke that counts is the redone one
  await page.keyboard.press(']');
  await page.keyboard.press('[');
  const box = await page.locator('#mask').boundingBox();
  const width = Number(await page.getAttribute('body', 'data-width'));
  const zoom = box.width / width;
  if (Math.abs(zoom - 1) > 1e-6) await page.locator('#size').fill(String(Math.round(size * zoom)));
  const at = (x, y) => [box.x + x * zoom, box.y + y * zoom];
  await page.mouse.move(...at(x0, y0));
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(...at(x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * i / 10));
  await page.mouse.up();
  await page.keyboard.press('Control+z');
  if (!await page.locator('#redo').isEnabled()) throw new Error('Ctrl+Z did not undo the stroke');
  await page.keyboard.press('Control+Shift+z');
  if (!await page.locator('#redo').isDisabled()) throw new Error('Ctrl+Shift+Z did not redo the stroke');
  await page.screenshot({ path: join(shots, 'editor-before.png') });

  step('remove');
  await page.click('#remove');
  await page.waitForFunction(() => !document.getElementById('compare').disabled
    || document.getElementById('status').classList.contains('error'), null, { timeout: 120_000 });
  if (await status.evaluate((e) => e.classList.contains('error'))) throw new Error(`remove: ${await status.textContent()}`);
  await page.waitForFunction(() => document.getElementById('photo').complete);
  await page.screenshot({ path: join(shots, 'editor-after.png') });

  step('save');
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('rendition')
    || document.getElementById('status').classList.contains('error'), null, { timeout: 120_000 });
  if (await status.evaluate((e) => e.classList.contains('error'))) throw new Error(`save: ${await status.textContent()}`);
  const rendition = await page.locator('#rendition').textContent();
  await page.screenshot({ path: join(shots, 'editor-saved.png') });
  if (pageErrors.length) throw pageErrors[0];
  writeFileSync(env('RESULT'), rendition);
  step(`saved ${rendition}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
