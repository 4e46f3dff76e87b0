// hubchat web client bootstrap: reads ?server= / ?nick= / ?room= and ?token=
// (a signed identity, taken out of the address bar at once so it stays out of
// history and bookmarks; a page that embeds the client calls
// hubchat.setToken(jwt) instead), loads the
// Emscripten module (client.js + client.wasm) and the Hangul font
// (NanumGothic.ttf, served next to this page) in parallel, starts the client as
// soon as the module is ready (it draws with ImGui's Latin font and shows
// "loading font..." meanwhile) and hands it the font when that has arrived,
// forwards committed text from a hidden text
// field (typing, IME composition, paste) to the client, forwards pointer
// events (mouse, touch, pen) to the client's queue and focuses the hidden text
// field inside the user's own tap when it lands on one of the client's text
// fields (a phone shows its keyboard only then), sizes the canvas to the
// visual viewport (so an open keyboard does not hide the input line), shows
// the number of new messages in the title while the tab is hidden, keeps the
// client's remembered dialect choice per server in localStorage, and exposes
// window.hubchat, a small read-only test/debug hook.
'use strict';

(function () {
  const params = new URLSearchParams(window.location.search);
  const defaultServer = () => {
    const scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
    const host = window.location.host || 'localhost:8080';
    return scheme + host + '/ws';
  };
  const config = {
    server: params.get('server') || defaultServer(),
    nick: params.get('nick') || '',
    room: params.get('room') || '',
  };
  // The token is kept out of config (window.hubchat.config is readable by
  // anything on the page) and out of the URL from now on.
  let initialToken = params.get('token') || '';
  if (params.has('token')) {
    params.delete('token');
    const query = params.toString();
    history.replaceState(history.state, '',
                         window.location.pathname + (query ? '?' + query : '') + window.location.hash);
  }
  // Connect right away when the page was opened with both a nick and a room.
  config.autoConnect = config.nick !== '' && config.room !== '';

  const canvas = document.getElementById('canvas');
  const textInput = document.getElementById('text-input');
  const loading = document.getElementById('loading');
  const loadingText = document.getElementById('loading-text');

  let started = false;
  let composing = false;
  let wantText = false;
  // A touch screen: the client then leaves the input line alone until tapped.
  const touchScreen = window.matchMedia('(pointer: coarse)').matches || navigator.maxTouchPoints > 0;
  let lastPointerType = 'mouse';

  function fail(message) {
    loading.classList.remove('hidden');
    loading.classList.add('failed');
    loadingText.textContent = message;
  }

  function readCString(ptr) {
    return ptr ? Module.UTF8ToString(ptr) : '';
  }

  // ---- text input: the hidden field owns keyboard focus while ImGui wants text.
  function pushText(text) {
    if (started && text) Module.ccall('hubchat_push_text', null, ['string'], [text]);
  }
  function setComposition(text) {
    if (started) Module.ccall('hubchat_set_composition', null, ['string'], [text || '']);
  }
  function takeFieldText() {
    const text = textInput.value;
    textInput.value = '';
    return text;
  }

  textInput.addEventListener('compositionstart', () => {
    composing = true;
  });
  textInput.addEventListener('compositionupdate', (e) => setComposition(e.data));
  textInput.addEventListener('compositionend', (e) => {
    composing = false;
    setComposition('');
    const text = takeFieldText() || e.data || '';
    pushText(text);
  });
  textInput.addEventListener('input', (e) => {
    if (composing || e.isComposing) return;  // committed at compositionend
    if (e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph') {
      takeFieldText();  // Enter / Shift+Enter reach the client as keys
      return;
    }
    pushText(takeFieldText());
  });

  // Runs before Emscripten's GLFW key listeners (registered later, same target
  // and phase): keys that belong to an IME composition must not reach the
  // client, and Ctrl/Cmd+V must paste through the text field (the browser's
  // clipboard), not through GLFW's empty one.
  function filterKeys(e) {
    if (e.isComposing || e.keyCode === 229) {
      e.stopImmediatePropagation();
      return;
    }
    if ((e.ctrlKey || e.metaKey) && (e.key === 'v' || e.key === 'V')) {
      e.stopImmediatePropagation();
    }
  }
  window.addEventListener('keydown', filterKeys, true);
  window.addEventListener('keypress', filterKeys, true);

  // Clicking the canvas must not take focus away from the text field (the
  // canvas needs no focus: keys are read on the window). On a touch screen
  // the browser's mouse events made from a tap are not wanted either: the
  // pointer events below already carry it.
  canvas.addEventListener('mousedown', (e) => e.preventDefault());
  canvas.addEventListener('touchstart', (e) => e.preventDefault(), { passive: false });
  textInput.addEventListener('blur', () => {
    // A mouse user keeps typing after clicking around; on a touch screen a
    // blur is the keyboard going away, which is the user's to decide.
    if (wantText && lastPointerType === 'mouse' && document.hasFocus()) {
      setTimeout(() => wantText && textInput.focus(), 0);
    }
  });

  // Called by the client (web_main.cpp) when ImGui starts/stops wanting text,
  // and with the caret position (CSS pixels in the canvas) for the IME
  // candidate window.
  function onTextInput(active, x, y, lineHeight) {
    wantText = !!active;
    if (wantText) {
      placeTextInput(x, y, lineHeight);
      if (document.activeElement !== textInput) textInput.focus({preventScroll: true});
    } else if (document.activeElement === textInput && !composing) {
      textInput.blur();
    }
  }
  function placeTextInput(x, y, lineHeight) {
    const r = canvas.getBoundingClientRect();
    textInput.style.left = Math.max(0, r.left + x) + 'px';
    textInput.style.top = Math.max(0, r.top + y) + 'px';
    textInput.style.height = Math.max(8, lineHeight) + 'px';
  }

  // ---- pointer input. Every event goes to the client's PointerQueue, which
  // hands ImGui one change per frame (a tap's down and up arrive together).
  // The client tells where its text fields are (hubchatTextFields, CSS
  // pixels in the canvas); a tap that starts and ends on one focuses the
  // hidden text field right here, inside the tap's own event, as phones
  // require to show their keyboard. ImGui activates the field a few frames later.
  let textFields = [];  // [{name, x, y, w, h}]
  function onTextFields(text) {
    textFields = text.split('\n').filter((l) => l !== '').map((l) => {
      const [name, x, y, w, h] = l.split(' ');
      return { name, x: +x, y: +y, w: +w, h: +h };
    });
  }
  function fieldAt(x, y) {
    return textFields.find((f) => x >= f.x && x < f.x + f.w && y >= f.y && y < f.y + f.h) || null;
  }
  const POINTER = { move: 0, down: 1, up: 2, leave: 3 };
  const pressed = new Map();  // pointerId -> the field the press started on (or null)
  // The event's position in CSS pixels of the canvas, and in canvas pixels.
  function where(e) {
    const r = canvas.getBoundingClientRect();
    const css = { x: e.clientX - r.left, y: e.clientY - r.top };
    const sx = r.width > 0 ? canvas.width / r.width : 1;
    const sy = r.height > 0 ? canvas.height / r.height : 1;
    return { css, x: css.x * sx, y: css.y * sy };
  }
  function sendPointer(kind, e) {
    if (!started) return null;
    const p = where(e);
    const button = e.button === 2 ? 1 : e.button === 1 ? 2 : 0;
    Module._hubchat_pointer(kind, p.x, p.y, button);
    return p;
  }
  canvas.addEventListener('pointerdown', (e) => {
    if (!e.isPrimary && e.pointerType !== 'mouse') return;  // one finger at a time
    lastPointerType = e.pointerType;
    const p = sendPointer(POINTER.down, e);
    if (!p) return;
    pressed.set(e.pointerId, fieldAt(p.css.x, p.css.y));
    try {
      canvas.setPointerCapture(e.pointerId);
    } catch (err) {
      // Not capturable (already released): the up comes anyway or never.
    }
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!e.isPrimary && e.pointerType !== 'mouse') return;
    sendPointer(POINTER.move, e);
  });
  function release(e, cancelled) {
    if (!e.isPrimary && e.pointerType !== 'mouse') return;
    const p = sendPointer(POINTER.up, e);
    const startField = pressed.get(e.pointerId);
    pressed.delete(e.pointerId);
    if (e.pointerType !== 'mouse') sendPointer(POINTER.leave, e);  // a lifted finger hovers nothing
    if (!p || cancelled || !startField) return;
    const field = fieldAt(p.css.x, p.css.y);
    if (field && field.name === startField.name) {
      placeTextInput(p.css.x, field.y, field.h);
      if (document.activeElement !== textInput) textInput.focus({ preventScroll: true });
    }
  }
  canvas.addEventListener('pointerup', (e) => release(e, false));
  canvas.addEventListener('pointercancel', (e) => release(e, true));
  canvas.addEventListener('pointerleave', (e) => {
    if (e.pointerType === 'mouse' && e.buttons === 0) sendPointer(POINTER.leave, e);
  });
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());

  // ---- the canvas covers the visual viewport: with a phone's keyboard open
  // that is the part of the page still visible, so the client lays itself
  // out in it and the input line stays above the keyboard.
  function fitToViewport() {
    const vv = window.visualViewport;
    const w = vv ? vv.width : window.innerWidth;
    const h = vv ? vv.height : window.innerHeight;
    canvas.style.width = w + 'px';
    canvas.style.height = h + 'px';
    canvas.style.left = (vv ? vv.offsetLeft : 0) + 'px';
    canvas.style.top = (vv ? vv.offsetTop : 0) + 'px';
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener('resize', fitToViewport);
    window.visualViewport.addEventListener('scroll', fitToViewport);
  }
  window.addEventListener('resize', fitToViewport);
  fitToViewport();

  // ---- a hidden tab counts new messages in its title: "(3) hubchat". The
  // browser stops animation frames (the client's main loop) in a hidden tab,
  // so a timer keeps the client's model fed meanwhile.
  const baseTitle = document.title;
  let hiddenSince = null;  // the client's received count when the tab was hidden
  let hiddenTimer = 0;
  function updateHiddenTitle() {
    Module._hubchat_background_tick();
    const n = Module._hubchat_received() - hiddenSince;
    document.title = n > 0 ? '(' + n + ') ' + baseTitle : baseTitle;
  }
  document.addEventListener('visibilitychange', () => {
    if (!started) return;
    if (document.visibilityState === 'hidden') {
      hiddenSince = Module._hubchat_received();
      hiddenTimer = setInterval(updateHiddenTitle, 1000);
    } else {
      clearInterval(hiddenTimer);
      hiddenSince = null;
      document.title = baseTitle;
    }
  });

  // ---- remembered dialect per server (client/app/web_dialect_memory.cpp).
  // Key: DIALECT_KEY_PREFIX + the server URL; value: what the client's
  // DialectChooser stores ("legacy N": the server rejects hubchat.v1, N legacy
  // connections since it was last re-checked). Storage can be unavailable or
  // throw (blocked cookies, private mode): then nothing is remembered.
  const DIALECT_KEY_PREFIX = 'hubchat.dialect:';
  const dialectMemory = {
    load(server) {
      try {
        return window.localStorage.getItem(DIALECT_KEY_PREFIX + server) || '';
      } catch (err) {
        return '';
      }
    },
    save(server, value) {
      try {
        if (value) {
          window.localStorage.setItem(DIALECT_KEY_PREFIX + server, value);
        } else {
          window.localStorage.removeItem(DIALECT_KEY_PREFIX + server);
        }
      } catch (err) {
        // Not remembered: the client probes again next time.
      }
    },
  };

  // ---- the Emscripten module (client.js is not MODULARIZEd: global Module).
  let resolveRuntime;
  const runtimeReady = new Promise((resolve) => {
    resolveRuntime = resolve;
  });
  window.Module = {
    canvas: canvas,
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    onRuntimeInitialized: () => resolveRuntime(),
    onAbort: (what) => fail('hubchat stopped: ' + what),
    hubchatTextInput: onTextInput,
    hubchatTextFields: onTextFields,
    // The client's first frame is drawn: the canvas takes over from the overlay.
    hubchatFirstFrame: () => loading.classList.add('hidden'),
    hubchatDialectMemory: dialectMemory,
  };

  // Fetched alongside the module, not before it: the client draws without
  // it. The lower priority lets the browser put the module's own files first
  // where it queues requests.
  const fontReady = fetch('NanumGothic.ttf', { priority: 'low' })
    .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error('HTTP ' + r.status))))
    .then((buf) => new Uint8Array(buf))
    .catch((err) => {
      // Still usable, without Hangul glyphs.
      console.warn('hubchat: NanumGothic.ttf could not be loaded (' + err.message + ')');
      return null;
    });

  const script = document.createElement('script');
  script.src = 'client.js';
  script.async = true;
  script.onerror = () => fail('Could not load client.js');
  document.body.appendChild(script);

  const clientStarted = runtimeReady.then(() => {
    const ok = Module.ccall('hubchat_start', 'number',
                            ['string', 'string', 'string', 'string', 'number', 'number'],
                            [config.server, config.nick, config.room, initialToken,
                             config.autoConnect ? 1 : 0, touchScreen ? 1 : 0]);
    initialToken = '';
    if (!ok) {
      fail('hubchat could not start (WebGL 2 unavailable?)');
      return false;
    }
    started = true;
    return true;
  });

  // The font, whenever both it and the client are there (null: it failed,
  // and the client says so instead of "loading font...").
  Promise.all([clientStarted, fontReady]).then(([ok, font]) => {
    if (!ok) return;
    let ptr = 0;
    const size = font ? font.length : 0;
    if (size > 0) {
      ptr = Module._malloc(size);
      Module.HEAPU8.set(font, ptr);
    }
    Module.ccall('hubchat_set_font', null, ['number', 'number'], [ptr, size]);
    if (ptr) Module._free(ptr);  // the client keeps its own copy
  });

  // ---- test/debug hook (read-only views of the client's state).
  window.hubchat = {
    config: config,
    ready: () => started,
    state: () => (started ? JSON.parse(readCString(Module._hubchat_state_json())) : null),
    messages: () => (started ? JSON.parse(readCString(Module._hubchat_messages_json())) : []),
    draft: () => (started ? readCString(Module._hubchat_draft()) : ''),
    touchScreen: touchScreen,
    // A page that embeds the client signs the user in (or renews an expired
    // sign-in) with a JWT it got from its own backend: the client joins again
    // with it. Before the client started, it is used for the first connect.
    setToken: (jwt) => {
      const token = typeof jwt === 'string' ? jwt : '';
      if (started) {
        Module.ccall('hubchat_set_token', null, ['string'], [token]);
      } else {
        initialToken = token;
      }
    },
    // The client's text fields as the page knows them (CSS pixels in the canvas).
    textFields: () => textFields.slice(),
  };
})();
