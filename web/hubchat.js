// hubchat web client bootstrap: reads ?server= / ?nick= / ?room=, loads the
// Emscripten module (client.js + client.wasm) and the Hangul font
// (NanumGothic.ttf, served next to this page) in parallel, starts the client as
// soon as the module is ready (it draws with ImGui's Latin font and shows
// "loading font..." meanwhile) and hands it the font when that has arrived,
// forwards committed text from a hidden text
// field (typing, IME composition, paste) to the client, keeps the client's
// remembered dialect choice per server in localStorage, and exposes
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
  // Connect right away when the page was opened with both a nick and a room.
  config.autoConnect = config.nick !== '' && config.room !== '';

  const canvas = document.getElementById('canvas');
  const textInput = document.getElementById('text-input');
  const loading = document.getElementById('loading');
  const loadingText = document.getElementById('loading-text');

  let started = false;
  let composing = false;
  let wantText = false;

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

  // Clicking the canvas must not take focus away from the text field.
  canvas.addEventListener('mousedown', (e) => {
    if (wantText) e.preventDefault();
  });
  textInput.addEventListener('blur', () => {
    if (wantText && document.hasFocus()) setTimeout(() => wantText && textInput.focus(), 0);
  });

  // Called by the client (web_main.cpp) when ImGui starts/stops wanting text,
  // and with the caret position (CSS pixels) for the IME candidate window.
  function onTextInput(active, x, y, lineHeight) {
    wantText = !!active;
    if (wantText) {
      textInput.style.left = Math.max(0, x) + 'px';
      textInput.style.top = Math.max(0, y) + 'px';
      textInput.style.height = Math.max(8, lineHeight) + 'px';
      if (document.activeElement !== textInput) textInput.focus({preventScroll: true});
    } else if (document.activeElement === textInput && !composing) {
      textInput.blur();
    }
  }

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
    const ok = Module.ccall('hubchat_start', 'number', ['string', 'string', 'string', 'number'],
                            [config.server, config.nick, config.room, config.autoConnect ? 1 : 0]);
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
  };
})();
