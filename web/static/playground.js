// The playground updates as the query is typed: it fetches the same page
// for the new query and swaps in its results. Without this script the form's
// button does the same with a page load.
"use strict";
(function () {
  var input = document.getElementById("q");
  var result = document.getElementById("result");
  if (!input || !result || !window.fetch || !window.DOMParser) {
    return;
  }
  var timer = null;
  var seq = 0;
  function update() {
    var q = input.value.trim();
    var url = "/playground" + (q ? "?q=" + encodeURIComponent(q) : "");
    var mine = ++seq;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (resp) { return resp.text(); })
      .then(function (text) {
        if (mine !== seq) {
          return; // a newer query is on its way
        }
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("result");
        if (fresh) {
          result.replaceWith(fresh);
          result = fresh;
          history.replaceState(null, "", url);
        }
      })
      .catch(function () { /* the button still works */ });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
})();
