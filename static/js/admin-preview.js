/* The editor's live preview beside the text, as readers will see it. markdownx asks the server
   for the preview (articles/markdown.py: markdownify, the one rendering path) and puts it in
   .markdownx-preview; this script shows it in a frame that loads the public site's own style
   sheet (so the key points box, headings, tables and references look as on the page, and admin
   styles cannot leak in), and keeps the frame scrolled along with the text. The frame runs no
   script (sandbox). Without this script, the plain preview stays where it is. */
(function () {
  "use strict";
  function makeFrame(stylesheet) {
    var frame = document.createElement("iframe");
    frame.className = "markdownx-frame";
    frame.title = "Preview: the page as readers will see it";
    frame.setAttribute("sandbox", "allow-same-origin");
    frame.srcdoc = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="color-scheme" content="light dark">' +
      '<link rel="stylesheet" href="' + stylesheet.replace(/"/g, "&quot;") + '"></head>' +
      '<body><main class="wrap"></main></body></html>';
    return frame;
  }
  function attach(box, stylesheet) {
    var editor = box.querySelector("textarea");
    var source = box.querySelector(".markdownx-preview");
    if (!editor || !source) { return; }
    var frame = makeFrame(stylesheet);
    source.parentNode.insertBefore(frame, source.nextSibling);
    box.classList.add("has-frame");
    function page() {
      var doc = frame.contentDocument;
      return doc && doc.scrollingElement;
    }
    function follow() {  // the same share of the preview scrolled as of the text
      var view = page();
      if (!view) { return; }
      var range = editor.scrollHeight - editor.clientHeight;
      var share = range > 0 ? editor.scrollTop / range : 0;
      view.scrollTop = share * (view.scrollHeight - view.clientHeight);
    }
    function show() {
      var main = frame.contentDocument && frame.contentDocument.querySelector("main");
      if (!main) { return; }
      main.innerHTML = source.innerHTML;
      follow();
    }
    frame.addEventListener("load", show);
    box.addEventListener("markdownx.update", show);
    editor.addEventListener("scroll", follow, { passive: true });
  }
  function start() {
    var marker = document.getElementById("public-stylesheet");
    if (!marker) { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".markdownx"), function (box) {
      attach(box, marker.getAttribute("data-href"));
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
