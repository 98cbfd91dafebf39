/* publish preview: reloads this page when the book changes, where the reader was, and
   shows the manuscript's errors and warnings over the page. Served only by the preview,
   never part of a built site. */
(function () {
  "use strict";
  var key = "publish-preview-scroll:" + location.pathname;
  var page = location.pathname.replace(/^\//, "") || "index.html";
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.scrollTo(0, Number(saved));
    window.addEventListener("load", function () { window.scrollTo(0, Number(saved)); });
  }

  var overlay = document.createElement("aside");
  overlay.id = "publish-preview-overlay";
  overlay.setAttribute("aria-label", "Preview findings");
  overlay.hidden = true;
  var bar = document.createElement("div");
  bar.id = "publish-preview-bar";
  bar.innerHTML = 'Preview <span id="publish-preview-status">live</span> \u00b7 ' +
    '<a href="/__publish__/pdf" target="_blank" rel="noopener">PDF</a>';
  var style = document.createElement("style");
  style.textContent =
    "#publish-preview-overlay{position:fixed;left:0;right:0;bottom:0;max-height:50vh;" +
    "overflow:auto;z-index:1000;margin:0;padding:0.8em 1em;background:#fff4f4;color:#5c0011;" +
    "border-top:4px solid #b0122b;font:14px/1.45 monospace;box-shadow:0 -2px 8px #0004}" +
    "#publish-preview-overlay p{margin:0.3em 0;white-space:pre-wrap}" +
    "#publish-preview-overlay .warning{color:#5c3b00}" +
    "#publish-preview-overlay h2{font:bold 15px sans-serif;margin:0 0 0.4em;color:#5c0011}" +
    "#publish-preview-bar{position:fixed;right:0.5em;bottom:0.5em;z-index:1001;padding:0.2em 0.6em;" +
    "background:#16344a;color:#fff;font:13px sans-serif;border-radius:4px;opacity:0.9}" +
    "#publish-preview-bar a{color:#fff}";
  document.head.appendChild(style);
  document.body.appendChild(overlay);
  document.body.appendChild(bar);

  function show(state) {
    overlay.textContent = "";
    var errors = state.findings.filter(function (f) { return f.level === "error"; });
    if (!state.findings.length) { overlay.hidden = true; return; }
    var title = document.createElement("h2");
    title.textContent = state.ok
      ? state.findings.length + " warning(s) in the manuscript"
      : "The manuscript does not build (" + errors.length + " error(s))" +
        (state.has_pages ? ": these are the last good pages" : "");
    overlay.appendChild(title);
    state.findings.forEach(function (finding) {
      var line = document.createElement("p");
      line.className = finding.level;
      line.textContent = finding.text;
      overlay.appendChild(line);
    });
    overlay.hidden = false;
  }

  var version = null;
  var source = new EventSource("/__publish__/events");
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    /* Reload when this page, or a file every page uses, changed; or when a version
       went by unseen (two saves in quick succession). */
    if (version !== null && state.version !== version &&
        (state.version > version + 1 || state.changed.indexOf(page) >= 0 ||
         state.changed.some(function (name) { return !/\.html$/.test(name); }))) {
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
      return;
    }
    version = state.version;
    document.documentElement.dataset.previewVersion = String(version);
    show(state);
  });
  source.onerror = function () {
    document.getElementById("publish-preview-status").textContent = "disconnected";
  };
  source.onopen = function () {
    document.getElementById("publish-preview-status").textContent = "live";
  };
})();
