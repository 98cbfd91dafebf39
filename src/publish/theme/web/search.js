/* The web edition's search page: the index was built with lunr.py when the book was
   built (search-index.js sets window.PUBLISH_SEARCH), so nothing is fetched: the page
   works from a folder, from file:// and behind any static host. */
(function () {
  "use strict";
  var data = window.PUBLISH_SEARCH;
  var form = document.getElementById("search-page-form");
  var input = document.getElementById("search-page-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!data || !window.lunr || !form) { return; }
  var index = window.lunr.Index.load(data.index);

  function query(text) {
    var words = window.lunr.tokenizer(text).map(String).filter(Boolean);
    if (!words.length) { return []; }
    return index.query(function (q) {
      words.forEach(function (word) {
        q.term(word, { boost: 10 });  /* the word, stemmed as the index was */
        q.term(word, {  /* and words it begins, while the reader is still typing */
          usePipeline: false, wildcard: window.lunr.Query.wildcard.TRAILING
        });
      });
    });
  }

  function excerpt(text, words) {
    var lower = text.toLowerCase();
    var at = -1;
    words.some(function (word) { at = lower.indexOf(word.toLowerCase()); return at >= 0; });
    var start = Math.max(0, at - 60);
    var end = Math.min(text.length, start + 200);
    if (start > 0) { start = text.indexOf(" ", start) + 1; }  /* whole words only */
    if (end < text.length) { end = Math.max(text.lastIndexOf(" ", end), start); }
    var piece = text.slice(start, end);
    return (start > 0 ? "\u2026 " : "") + piece + (end < text.length ? " \u2026" : "");
  }

  function show(text) {
    list.textContent = "";
    var results = text.trim() ? query(text) : [];
    var words = text.split(/\s+/).filter(Boolean);
    results.slice(0, 50).forEach(function (result) {
      var doc = data.docs[result.ref];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = doc.url;
      link.textContent = doc.title;
      var where = document.createElement("span");
      where.className = "search-chapter";
      where.textContent = doc.chapter;
      var line = document.createElement("p");
      line.textContent = excerpt(doc.text, words);
      item.appendChild(link);
      item.appendChild(where);
      item.appendChild(line);
      list.appendChild(item);
    });
    var count = results.length;
    status.textContent = !text.trim() ? "" : count === 0 ? "No section matches \u201c" + text +
      "\u201d." : count + (count === 1 ? " section matches" : " sections match") +
      " \u201c" + text + "\u201d.";
  }

  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  show(initial);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    try {
      window.history.replaceState(null, "", url.toString());
    } catch (error) { /* a file:// page may not rewrite its own address: results still show */ }
  });
})();
