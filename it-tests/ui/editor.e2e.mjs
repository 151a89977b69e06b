// Drives the editor in Debian's chromium: from the folder's list page into a picture's editor, paints one stroke,
// removes, saves; the saved rendition's path is written to RESULT for the Java test (EditorEndToEndIT), which checks
// its pixels over HTTP. Then, on the same page: Before/After, a second stroke removed on the result and saved, Discard,
// the box tool, the eraser (where the fill lands), and a busy server. Screenshots of each state go to SCREENSHOTS.
// Environment: BASE_URL, FOLDER, ASSET (its name in FOLDER), STROKE ("x0,y0,x1,y1,size" in image pixels),
// SCREENSHOTS, RESULT, CHROMIUM (default /usr/bin/chromium), SLING_USER / SLING_PASSWORD (admin/admin).
// The other shapes below are in image pixels of EditorEndToEndIT's photo (320 x 240), away from STROKE's sun.
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
const SECOND = [40, 75, 100, 75, 20];   // a second stroke, in the sky, removed on the first result
const BOX = [130, 100, 190, 144];       // x0, y0, x1, y1 of the box tool's drag, over the hills
const PAINT = [40, 200, 120, 200, 16];  // painted, then its middle erased by ERASE, over the trees
const ERASE = [80, 180, 80, 220, 16];
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
const check = (ok, message) => { if (!ok) throw new Error(message); };
// distance from (x, y) to a stroke's centre line [x0, y0, x1, y1, ...]
const distance = ([ax, ay, bx, by], x, y) => {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
};
// the whole pixels on a stroke's centre line
const along = ([ax, ay, bx, by]) => {
  const n = Math.round(Math.hypot(bx - ax, by - ay));
  return Array.from({ length: n + 1 },
    (_, i) => [Math.round(ax + (bx - ax) * i / n), Math.round(ay + (by - ay) * i / n)]);
};
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => step(`browser ${m.type()}: ${m.text()}`));
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  let posts = 0;
  page.on('request', (r) => { if (r.method() === 'POST') posts++; });

  step('list page');
  await page.goto(`${base}${folder}.inpaint.html`);
  await page.getByRole('link', { name: assetName }).click();
  await page.waitForSelector('body.ready');
  const status = page.locator('#status');
  const shot = (name) => page.screenshot({ path: join(shots, `editor-${name}.png`) });
  await shot('opened');

  const box = await page.locator('#mask').boundingBox();
  const width = Number(await page.getAttribute('body', 'data-width'));
  const height = Number(await page.getAttribute('body', 'data-height'));
  const zoom = box.width / width;
  const at = (x, y) => [box.x + x * zoom, box.y + y * zoom];
  // the size slider is in screen pixels
  const brush = (diameter) => page.locator('#size').fill(String(Math.round(diameter * zoom)));
  const drag = async ([ax, ay, bx, by]) => {
    await page.mouse.move(...at(ax, ay));
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(...at(ax + (bx - ax) * i / 10, ay + (by - ay) * i / 10));
    await page.mouse.up();
  };
  const failed = () => status.evaluate((e) => e.classList.contains('error'));
  // a Remove is over when its mask is used up (Undo goes off) or the status shows an error
  const remove = async () => {
    await page.click('#remove');
    await page.waitForFunction(() => document.getElementById('undo').disabled
      || document.getElementById('status').classList.contains('error'), null, { timeout: 120_000 });
  };
  const removeOk = async () => {
    await remove();
    if (await failed()) throw new Error(`remove: ${await status.textContent()}`);
  };
  // a Save is over when a rendition other than the last one is linked, or on an error
  const save = async (previous) => {
    await page.click('#save');
    await page.waitForFunction((previous) => {
      const link = document.getElementById('rendition');
      return link && link.textContent !== previous || document.getElementById('status').classList.contains('error');
    }, previous, { timeout: 120_000 });
    if (await failed()) throw new Error(`save: ${await status.textContent()}`);
    return page.locator('#rendition').textContent();
  };
  // RGBA of a picture as this page decodes it: the shown photo, or a URL fetched afresh
  const pixels = (url) => page.evaluate(async (url) => {
    const img = url ? new Image() : document.getElementById('photo');
    if (url) img.src = URL.createObjectURL(await (await fetch(url, { cache: 'no-store' })).blob());
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    return Array.from(g.getImageData(0, 0, canvas.width, canvas.height).data);
  }, url);
  const differs = (a, b, x, y) => {
    const i = (y * width + x) * 4;
    return a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2];
  };
  // the pixels where `where` holds that differ between a and b
  const changes = (a, b, where) => {
    let n = 0;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (where(x, y) && differs(a, b, x, y)) n++;
    return n;
  };
  // a stroke counts as removed when most of its centre line differs from the original
  const removedUnder = (picture, original, stroke, what) => {
    const line = along(stroke);
    const n = line.filter(([x, y]) => differs(picture, original, x, y)).length;
    check(n > line.length / 2, `${what}: only ${n} of ${line.length} pixels under the stroke changed`);
  };
  const renditions = async () => (await page.evaluate(async (url) => Object.keys(await (await fetch(url,
    { cache: 'no-store' })).json()), `${folder}.1.json`)).filter((n) => /^[^/]+\.inpainted-.*$/.test(n)).sort();
  const original = await pixels(`${folder}/${assetName}`);

  step('paint');
  await page.locator('#size').fill(String(size));
  // the shortcuts change the size and undo/redo the stroke; the stroke that counts is the redone one
  await page.keyboard.press(']');
  await page.keyboard.press('[');
  if (Math.abs(zoom - 1) > 1e-6) await brush(size);
  await drag([x0, y0, x1, y1]);
  await page.keyboard.press('Control+z');
  if (!await page.locator('#redo').isEnabled()) throw new Error('Ctrl+Z did not undo the stroke');
  await page.keyboard.press('Control+Shift+z');
  if (!await page.locator('#redo').isDisabled()) throw new Error('Ctrl+Shift+Z did not redo the stroke');
  await shot('before');

  step('remove');
  await removeOk();
  const after = await pixels();
  await shot('after');

  step('before/after');
  removedUnder(after, original, [x0, y0, x1, y1], 'remove');
  await page.click('#compare');
  check(await page.getAttribute('#compare', 'aria-pressed') === 'true', 'Before is not pressed');
  check(await page.locator('#mask').evaluate((e) => e.style.visibility === 'hidden'), 'the mask shows over Before');
  check(changes(await pixels(), original, () => true) === 0, 'Before does not show the original');
  await shot('compare-before');
  await page.keyboard.press('c');
  check(changes(await pixels(), after, () => true) === 0, 'After (C) does not show the result');

  step('save');
  const rendition = await save(null);
  await shot('saved');
  writeFileSync(env('RESULT'), rendition);
  step(`saved ${rendition}`);

  step('repeat on the result, then save');
  await brush(SECOND[4]);
  await drag(SECOND);
  await removeOk();
  const repeated = await save(rendition);
  const stored = await pixels(repeated);
  removedUnder(stored, original, [x0, y0, x1, y1], 'repeat, first stroke');
  removedUnder(stored, original, SECOND, 'repeat, second stroke');
  // beyond both brushes' radius plus a pixel of anti-aliasing nothing may change
  const farFromBoth = (x, y) => distance([x0, y0, x1, y1], x, y) > size / 2 + 1.5
    && distance(SECOND, x, y) > SECOND[4] / 2 + 1.5;
  const strays = changes(stored, original, farFromBoth);
  check(strays === 0, `the repeated rendition changed ${strays} pixels away from both strokes`);
  await shot('repeat-saved');
  step(`saved ${repeated}`);

  step('discard');
  const kept = await renditions();
  check([rendition, repeated].every((r) => kept.includes(r.slice(r.lastIndexOf('/') + 1))),
    `the saved renditions are not listed: ${kept}`);
  const postsBefore = posts;
  await page.click('#discard');
  check(changes(await pixels(), original, () => true) === 0, 'Discard does not show the original');
  check(await page.locator('#save').isDisabled() && await page.locator('#compare').isDisabled(),
    'Save or Before still on after Discard');
  check(posts === postsBefore, 'Discard sent a request');
  check(JSON.stringify(await renditions()) === JSON.stringify(kept), 'Discard changed the renditions');
  await shot('discarded');

  step('box');
  await page.click('[data-tool=box]');
  await drag(BOX);
  await shot('box');
  await removeOk();
  const boxed = await pixels();
  const [bx0, by0, bx1, by1] = BOX;
  // two pixels either side of the box's edge are left out: its edge is anti-aliased
  const inside = changes(boxed, original, (x, y) => x > bx0 + 2 && x < bx1 - 2 && y > by0 + 2 && y < by1 - 2);
  check(inside > (bx1 - bx0 - 5) * (by1 - by0 - 5) / 2, `box: only ${inside} pixels inside the box changed`);
  const outside = changes(boxed, original, (x, y) => x < bx0 - 2 || x > bx1 + 2 || y < by0 - 2 || y > by1 + 2);
  check(outside === 0, `box: ${outside} pixels outside the box changed`);
  await shot('box-removed');
  await page.click('#discard');

  step('eraser');
  await page.click('[data-tool=brush]');
  await brush(PAINT[4]);
  await drag(PAINT);
  await page.click('[data-tool=eraser]');
  await brush(ERASE[4]);
  await drag(ERASE);
  await shot('eraser');
  await removeOk();
  // the fill changes the picture only under the mask sent (as the first Remove showed), so the picture tells
  // where the mask was: Chromium does not hand the blob-built request body to the test
  const erasedResult = await pixels();
  let wrong = 0, hole = 0, filled = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const painted = distance(PAINT, x, y), erased = distance(ERASE, x, y);
      const changed = differs(erasedResult, original, x, y);
      // a pixel and a half of anti-aliasing at each edge is left open
      if (painted > PAINT[4] / 2 + 1.5 || erased < ERASE[4] / 2 - 1.5) wrong += changed;
      else if (painted < PAINT[4] / 2 - 1.5 && erased > ERASE[4] / 2 + 1.5) { hole++; filled += changed; }
    }
  }
  check(wrong === 0, `eraser: ${wrong} pixels changed outside the painted-but-not-erased part`);
  check(filled > hole / 2, `eraser: only ${filled} of ${hole} painted-but-not-erased pixels changed`);
  await shot('eraser-removed');

  step('busy server');
  await page.route((url) => url.pathname.endsWith('/bin/inpaint') || url.pathname.includes('.inpaint.'),
    (route) => route.request().method() === 'POST'
      ? route.fulfill({ status: 503, headers: { 'Retry-After': '7' }, contentType: 'application/json',
        body: JSON.stringify({ error: 'all model workers are busy' }) })
      : route.fallback());
  await page.click('[data-tool=brush]');
  await brush(SECOND[4]);
  await drag(SECOND);
  await remove();
  const message = await status.textContent();
  check(await failed() && /model is busy/i.test(message) && /\b7 s\b/.test(message), `busy: status says "${message}"`);
  check(await page.locator('#undo').isEnabled(), 'busy: the mask was lost');
  await shot('busy');
  await page.unrouteAll();
  if (pageErrors.length) throw pageErrors[0];
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
