/* TMS Info: small conveniences on top of pages that work without script.
   Copy-link buttons beside section links and in the share tools, a print button, and the
   feedback box sent without leaving the page, with "Report a problem" beside each section. */
(function () {
  "use strict";
  var d = document;
  // The words the script shows, in the page's language (templates/base.html puts them on <body>).
  var words = d.body.dataset;
  var COPY = words.copyLabel || "Copy link", COPIED = words.copied || "Copied";
  var COPIED_SAY = words.copiedSay || "Link copied:", COPY_FAILED = words.copyFailed || "Could not copy. The link is";
  var COPY_SECTION = words.copySection || "to section:";
  var live = d.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  d.body.appendChild(live);

  function say(text) {
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 50);
  }

  function pageUrl() {
    var c = d.querySelector('link[rel="canonical"]');
    return (c ? c.href : location.href).split("#")[0];
  }

  function copy(button, url) {
    var text = button.firstChild;
    var done = function () {
      button.classList.add("copied");
      text.nodeValue = COPIED;
      say(COPIED_SAY + " " + url);
      setTimeout(function () {
        button.classList.remove("copied");
        text.nodeValue = COPY;
      }, 2500);
    };
    var fail = function () { say(COPY_FAILED + " " + url); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(done, fail);
    } else {
      fail();
    }
  }

  d.querySelectorAll(".section-link").forEach(function (link) {
    var b = d.createElement("button");
    var heading = link.parentNode.querySelector("h2, h3");
    b.type = "button";
    b.className = "copy-link";
    b.appendChild(d.createTextNode(COPY));
    var hidden = d.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + COPY_SECTION + " " + (heading ? heading.textContent : "");
    b.appendChild(hidden);
    b.addEventListener("click", function () {
      copy(b, pageUrl() + link.getAttribute("href"));
    });
    link.after(b);
  });

  d.querySelectorAll("[data-copy]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { copy(b, b.getAttribute("data-copy")); });
  });

  d.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  /* Feedback (templates/includes/feedback_box.html): the same forms, posted by fetch; the
     server's answer (the same HTML as its thank-you page) replaces the box's contents. */
  var box = d.querySelector("[data-feedback]");
  if (!box || !window.fetch || !window.URLSearchParams) return;
  var pressed = null;

  function choose(id) {
    var select = box.querySelector("#feedback-section");
    if (!select || !id) return null;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === id) { select.value = id; return select; }
    }
    return null;
  }

  // The section the reader came from: a shared link or QR code to this page's #section.
  function chooseFromAddress() {
    if (location.hash) choose(decodeURIComponent(location.hash.slice(1)));
  }
  chooseFromAddress();

  box.addEventListener("click", function (event) {
    pressed = event.target.closest && event.target.closest("button[name]");
  });
  box.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || pressed;
    var data = new URLSearchParams(new FormData(form));
    if (button && button.name) data.append(button.name, button.value);
    event.preventDefault();
    box.setAttribute("aria-busy", "true");
    fetch(form.action, { method: "POST", body: data, headers: { "X-Feedback-Inline": "1" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        box.innerHTML = html;
        box.removeAttribute("aria-busy");
        chooseFromAddress();
        var heading = box.querySelector("[tabindex='-1']");
        if (heading) heading.focus();
      }, function () {
        // No answer (offline?): send it the ordinary way, which shows the answer as a page.
        if (button && button.name) {
          var field = d.createElement("input");
          field.type = "hidden";
          field.name = button.name;
          field.value = button.value;
          form.appendChild(field);
        }
        form.submit();
      });
  });

  // "Report a problem" beside each section's "#" link: opens the form with that section chosen.
  var label = box.getAttribute("data-section-report") || "Report a problem";
  var about = box.getAttribute("data-section-report-about") || "about";
  d.querySelectorAll(".section-link").forEach(function (link) {
    var id = link.getAttribute("href").slice(1);
    var heading = link.parentNode.querySelector("h2, h3");
    var a = d.createElement("a");
    a.className = "section-report";
    a.href = "?section=" + encodeURIComponent(id) + "#feedback";
    a.textContent = label;
    var hidden = d.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + about + " " + (heading ? heading.textContent : id);
    a.appendChild(hidden);
    a.addEventListener("click", function (event) {
      var details = box.querySelector("details");
      var select = details && choose(id);
      if (!select) return; // already sent: the link opens the page with a fresh form
      event.preventDefault();
      details.open = true;
      select.focus();
    });
    var after = link.nextElementSibling;
    (after && after.classList.contains("copy-link") ? after : link).after(a);
  });
})();
