'use strict';
// The brush editor: the mask is kept as a list of drawing operations (so undo/redo costs no full-size copies) and
// painted at the picture's full resolution; each Remove fills the current picture, so the editor can repeat on its
// own result, and Save asks the server to store the last fill as a new rendition.
(() => {
  const body = document.body;
  const asset = body.dataset.asset;
  const originalUrl = body.dataset.image;
  const ext = body.dataset.ext;
  const context = body.dataset.context;
  const $ = (id) => document.getElementById(id);
  const stage = $('stage'), view = $('view'), photo = $('photo'), mask = $('mask'), ctx = mask.getContext('2d');
  const statusBar = $('status'), sizeInput = $('size');

  let tool = 'brush';
  let ops = [], done = 0;          // mask operations; the first `done` are applied
  let drawing = null;              // the operation under the pointer
  let scale = 1, tx = 0, ty = 0;   // view transform: screen = image * scale + (tx, ty)
  let panning = null, spaceDown = false;
  // every fill so far: {input: Blob or null for the original, mask: Blob, result: Blob}
  let passes = [];
  let shown = 'result';            // 'result', 'before' or 'flow'
  let currentUrl = originalUrl, flowUrl = null, busy = false;

  function say(text, error) {
    statusBar.textContent = text;
    statusBar.classList.toggle('error', !!error);
  }

  // ---- view: fit, zoom, pan
  function applyView() {
    view.style.transform = `translate(${tx}px, ${ty}px) scale(${scale})`;
    $('zoom').textContent = Math.round(scale * 100) + '%';
  }
  function fit() {
    const w = stage.clientWidth, h = stage.clientHeight;
    scale = Math.min(w / photo.naturalWidth, h / photo.naturalHeight, 1);
    tx = (w - photo.naturalWidth * scale) / 2;
    ty = (h - photo.naturalHeight * scale) / 2;
    applyView();
  }
  function zoomAt(factor, cx, cy) {
    const next = Math.min(32, Math.max(0.02, scale * factor));
    tx = cx - (cx - tx) * next / scale;
    ty = cy - (cy - ty) * next / scale;
    scale = next;
    applyView();
  }
  function zoomCentre(factor) {
    zoomAt(factor, stage.clientWidth / 2, stage.clientHeight / 2);
  }
  stage.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = stage.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });

  // ---- mask drawing
  function brushSize() {
    return Number(sizeInput.value);
  }
  function setSize(v) {
    sizeInput.value = Math.max(Number(sizeInput.min), Math.min(Number(sizeInput.max), Math.round(v)));
    $('size-out').textContent = sizeInput.value;
  }
  function drawOp(op) {
    ctx.save();
    if (op.type === 'clear') {
      ctx.clearRect(0, 0, mask.width, mask.height);
    } else if (op.type === 'box') {
      ctx.fillStyle = '#ff2a2a';
      ctx.fillRect(Math.min(op.x0, op.x1), Math.min(op.y0, op.y1), Math.abs(op.x1 - op.x0), Math.abs(op.y1 - op.y0));
    } else {
      ctx.globalCompositeOperation = op.erase ? 'destination-out' : 'source-over';
      ctx.strokeStyle = ctx.fillStyle = '#ff2a2a';
      ctx.lineWidth = op.size;
      ctx.lineCap = ctx.lineJoin = 'round';
      ctx.beginPath();
      ctx.moveTo(op.points[0][0], op.points[0][1]);
      // a click without a move still leaves a dot
      const pts = op.points.length === 1 ? [op.points[0], op.points[0]] : op.points;
      for (const [x, y] of pts) ctx.lineTo(x, y);
      ctx.stroke();
    }
    ctx.restore();
  }
  function redraw() {
    ctx.clearRect(0, 0, mask.width, mask.height);
    for (let i = 0; i < done; i++) drawOp(ops[i]);
    if (drawing) drawOp(drawing);
    $('undo').disabled = done === 0;
    $('redo').disabled = done === ops.length;
  }
  function commit(op) {
    ops = ops.slice(0, done);
    ops.push(op);
    done = ops.length;
    redraw();
  }
  function undo() { if (done > 0) { done--; redraw(); } }
  function redo() { if (done < ops.length) { done++; redraw(); } }
  function clearMask() { if (done > 0) commit({ type: 'clear' }); }

  function toImage(e) {
    const r = mask.getBoundingClientRect();
    return [(e.clientX - r.left) * mask.width / r.width, (e.clientY - r.top) * mask.height / r.height];
  }
  stage.addEventListener('pointerdown', (e) => {
    if (busy || shown !== 'result') return;
    if (tool === 'pan' || spaceDown || e.button === 1) {
      panning = { x: e.clientX - tx, y: e.clientY - ty };
    } else if (e.button === 0) {
      const [x, y] = toImage(e);
      drawing = tool === 'box' ? { type: 'box', x0: x, y0: y, x1: x, y1: y }
        : { type: 'stroke', erase: tool === 'eraser', size: brushSize() / scale, points: [[x, y]] };
      redraw();
    } else {
      return;
    }
    stage.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  stage.addEventListener('pointermove', (e) => {
    if (panning) {
      tx = e.clientX - panning.x;
      ty = e.clientY - panning.y;
      applyView();
    } else if (drawing) {
      const [x, y] = toImage(e);
      if (drawing.type === 'box') { drawing.x1 = x; drawing.y1 = y; } else drawing.points.push([x, y]);
      redraw();
    }
  });
  function endPointer() {
    panning = null;
    if (drawing) {
      const op = drawing;
      drawing = null;
      commit(op);
    }
  }
  stage.addEventListener('pointerup', endPointer);
  stage.addEventListener('pointercancel', endPointer);

  // The mask as the server wants it: a PNG of the picture's full size, white where painted, black elsewhere.
  function maskBlob() {
    const w = mask.width, h = mask.height;
    const painted = ctx.getImageData(0, 0, w, h).data;
    const out = document.createElement('canvas');
    out.width = w;
    out.height = h;
    const octx = out.getContext('2d');
    const data = octx.createImageData(w, h);
    let holes = 0;
    for (let i = 0; i < painted.length; i += 4) {
      const v = painted[i + 3] > 0 ? 255 : 0;
      holes += v && 1;
      data.data[i] = data.data[i + 1] = data.data[i + 2] = v;
      data.data[i + 3] = 255;
    }
    octx.putImageData(data, 0, 0);
    return new Promise((resolve) => out.toBlob((b) => resolve(holes ? b : null), 'image/png'));
  }

  // ---- server calls
  async function explain(response) {
    let message = '';
    try { message = (await response.json()).error || ''; } catch (e) { /* not JSON: the status says enough */ }
    switch (response.status) {
      case 400: return message || 'The server could not use this picture or mask.';
      case 401:
      case 403: return 'You are not allowed to do this. Log in with an account that may change this picture.';
      case 404: return 'The picture is gone: ' + message;
      case 413: return 'The picture is too large for the server: ' + message;
      case 503: {
        const wait = response.headers.get('Retry-After');
        return wait ? `The model is busy, try again in ${wait} s.` : 'The model is not available right now: ' + message;
      }
      case 504: return 'The model took too long. Try again with a smaller area or later.';
      default: return `The server failed (${response.status}): ${message}`;
    }
  }
  async function send(url, form, label) {
    busy = true;
    const started = Date.now();
    $('busy').hidden = false;
    $('busy-text').textContent = label + '…';
    const tick = setInterval(() => {
      $('busy-text').textContent = `${label}… ${Math.round((Date.now() - started) / 1000)} s`;
    }, 500);
    try {
      const response = await fetch(url, { method: 'POST', body: form, credentials: 'same-origin' });
      if (!response.ok) throw new Error(await explain(response));
      return response;
    } catch (e) {
      throw new Error(e instanceof TypeError ? 'The server cannot be reached.' : e.message);
    } finally {
      clearInterval(tick);
      $('busy').hidden = true;
      busy = false;
    }
  }
  // The last pass's request again: the same input and mask give the same fill (the model is deterministic).
  function passForm(pass, extra) {
    const form = new FormData();
    form.append('mask', pass.mask, 'mask.png');
    if (pass.input) form.append('image', pass.input, 'image.png');
    for (const [k, v] of Object.entries(extra || {})) form.append(k, v);
    return form;
  }
  function passUrl(pass) {
    // the original from the repository the first time; afterwards the result so far, on the plain endpoint
    return pass.input ? context + '/bin/inpaint' : `${asset}.inpaint.${ext}`;
  }

  function show(which) {
    shown = which;
    const last = passes[passes.length - 1];
    photo.src = which === 'before' ? originalUrl : which === 'flow' ? flowUrl : currentUrl;
    mask.style.visibility = which === 'result' ? 'visible' : 'hidden';
    $('compare').setAttribute('aria-pressed', which === 'before');
    $('flow').setAttribute('aria-pressed', which === 'flow');
    $('compare').disabled = $('flow').disabled = $('save').disabled = $('discard').disabled = !last;
  }

  async function remove() {
    if (busy) return;
    if (shown !== 'result') show('result');
    const blob = await maskBlob();
    if (!blob) {
      say('Paint over the area to remove first.', true);
      return;
    }
    const last = passes[passes.length - 1];
    const pass = { input: last ? last.result : null, mask: blob };
    try {
      const response = await send(passUrl(pass), passForm(pass), 'Removing');
      pass.result = await response.blob();
      passes.push(pass);
      if (currentUrl !== originalUrl) URL.revokeObjectURL(currentUrl);
      currentUrl = URL.createObjectURL(pass.result);
      if (flowUrl) { URL.revokeObjectURL(flowUrl); flowUrl = null; }
      ops = []; done = 0; redraw();
      show('result');
      const ms = response.headers.get('X-Inpaint-Inference-Millis');
      say(`Removed${ms ? ` in ${(ms / 1000).toFixed(1)} s` : ''}. Paint more to repeat on the result, or Save.`);
    } catch (e) {
      say(e.message, true);
    }
  }

  async function toggleFlow() {
    if (shown === 'flow') { show('result'); return; }
    const last = passes[passes.length - 1];
    if (!flowUrl) {
      try {
        const response = await send(passUrl(last), passForm(last, { flow: 'true' }), 'Computing the attention picture');
        flowUrl = URL.createObjectURL(await response.blob());
      } catch (e) {
        say(e.message, true);
        return;
      }
    }
    show('flow');
    say('Attention flow of the last fill: the colour says where each filled cell copied from (white: no shift).');
  }

  async function save() {
    const last = passes[passes.length - 1];
    if (!last || busy) return;
    try {
      const response = await send(`${asset}.inpaint.json`, passForm(last, { store: 'true' }), 'Saving');
      const saved = await response.json();
      statusBar.classList.remove('error');
      statusBar.textContent = 'Saved as ';
      const link = document.createElement('a');
      link.href = context + saved.rendition;
      link.id = 'rendition';
      link.textContent = saved.rendition;
      statusBar.append(link, '. The original is unchanged.');
    } catch (e) {
      say(e.message, true);
    }
  }

  function discard() {
    if (busy) return;
    passes = [];
    if (currentUrl !== originalUrl) URL.revokeObjectURL(currentUrl);
    if (flowUrl) URL.revokeObjectURL(flowUrl);
    currentUrl = originalUrl;
    flowUrl = null;
    ops = []; done = 0; redraw();
    show('result');
    say('Discarded: back to the original.');
  }

  // ---- controls
  function setTool(name) {
    tool = name;
    for (const b of document.querySelectorAll('[data-tool]')) b.classList.toggle('on', b.dataset.tool === name);
    stage.classList.toggle('panning', name === 'pan');
  }
  for (const b of document.querySelectorAll('[data-tool]')) b.addEventListener('click', () => setTool(b.dataset.tool));
  sizeInput.addEventListener('input', () => setSize(sizeInput.value));
  $('undo').addEventListener('click', undo);
  $('redo').addEventListener('click', redo);
  $('clear').addEventListener('click', clearMask);
  $('zoom-in').addEventListener('click', () => zoomCentre(1.25));
  $('zoom-out').addEventListener('click', () => zoomCentre(0.8));
  $('fit').addEventListener('click', fit);
  $('remove').addEventListener('click', remove);
  $('compare').addEventListener('click', () => show(shown === 'before' ? 'result' : 'before'));
  $('flow').addEventListener('click', toggleFlow);
  $('save').addEventListener('click', save);
  $('discard').addEventListener('click', discard);
  window.addEventListener('resize', fit);

  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement && e.target.type !== 'range') return;
    const key = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && key === 'z') { e.shiftKey ? redo() : undo(); }
    else if ((e.ctrlKey || e.metaKey) && key === 'y') redo();
    else if (e.ctrlKey || e.metaKey || e.altKey) return;
    else if (e.key === '[') setSize(brushSize() / 1.2);
    else if (e.key === ']') setSize(brushSize() * 1.2);
    else if (e.key === ' ') { spaceDown = true; stage.classList.add('panning'); }
    else if (key === 'b') setTool('brush');
    else if (key === 'e') setTool('eraser');
    else if (key === 'r') setTool('box');
    else if (key === 'h') setTool('pan');
    else if (key === 'c' && passes.length) show(shown === 'before' ? 'result' : 'before');
    else return;
    e.preventDefault();
  });
  document.addEventListener('keyup', (e) => {
    if (e.key === ' ') { spaceDown = false; stage.classList.toggle('panning', tool === 'pan'); }
  });

  function ready() {
    mask.width = photo.naturalWidth;
    mask.height = photo.naturalHeight;
    body.dataset.width = photo.naturalWidth;
    body.dataset.height = photo.naturalHeight;
    fit();
    redraw();
    body.classList.add('ready');
  }
  photo.addEventListener('error', () => say('The picture cannot be loaded.', true), { once: true });
  if (photo.complete && photo.naturalWidth) ready(); else photo.addEventListener('load', ready, { once: true });
})();
