/* TMS Info: small conveniences on top of pages that work without script.
   Copy-link buttons beside section links and in the share tools, and a print button. */
(function () {
  "use strict";
  var d = document;
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
      text.nodeValue = "Copied";
      say("Link copied: " + url);
      setTimeout(function () {
        button.classList.remove("copied");
        text.nodeValue = "Copy link";
      }, 2500);
    };
    var fail = function () { say("Could not copy. The link is " + url); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(done, fail);
    } else {
      fail();
    }
  }

  d.querySelectorAll(".section-link").forEach(function (link) {
    var b = d.createElement("button");
    var label = link.querySelector(".visually-hidden");
    b.type = "button";
    b.className = "copy-link";
    b.innerHTML = 'Copy link<span class="visually-hidden"></span>';
    b.lastChild.textContent = label ? label.textContent.replace(/^Link/, "") : "";
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
})();
