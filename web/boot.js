// Starts the app. The wasm-bindgen glue, a classic script loaded just before this one (see
// `pattern_script` in Trunk.toml), defines `wasm_bindgen` and names the wasm file in its
// `data-wasm` attribute.
//
// Served over http(s), the wasm streams from its own file. Opened straight from disk (file://)
// the browser fetches nothing, and refuses module scripts, so both scripts here are classic and
// the wasm comes from a classic script that carries it as base64 (`<wasm>.js`, written by
// scripts/post-build.sh; only ever loaded from disk).
(function () {
  "use strict";

  var glue = document.getElementById("kubeplay-glue");
  var wasm = glue.getAttribute("data-wasm");

  function failed(error) {
    var loading = document.getElementById("loading");
    if (loading) {
      loading.textContent = "kubeplay could not start: " + error;
    }
    console.error(error);
  }

  function start(moduleOrPath) {
    wasm_bindgen({ module_or_path: moduleOrPath }).then(function () {
      // The app's exported functions, as trunk's own loader names them.
      window.wasmBindings = wasm_bindgen;
    }, failed);
  }

  function decode(base64) {
    if (typeof Uint8Array.fromBase64 === "function") {
      return Uint8Array.fromBase64(base64);
    }
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  if (location.protocol !== "file:") {
    start(wasm);
    return;
  }
  var carrier = document.createElement("script");
  carrier.src = wasm + ".js";
  carrier.onload = function () {
    var bytes = decode(window.kubeplayWasm);
    delete window.kubeplayWasm;
    start(bytes);
  };
  carrier.onerror = function () {
    failed("the file " + carrier.src + " is missing next to index.html");
  };
  document.head.appendChild(carrier);
})();
