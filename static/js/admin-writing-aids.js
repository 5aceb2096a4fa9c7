/* Writing aids, live: after a pause in typing, ask the server to recount the text.
   The counts are computed server-side (one implementation); without JavaScript they update on save. */
(function () {
  "use strict";
  function start() {
    var panel = document.getElementById("writing-aids");
    var body = document.getElementById("id_body");
    var form = body && body.form;
    if (!panel || !body || !form || !window.fetch) { return; }
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var timer = null;
    var sent = body.value;
    function refresh() {
      if (body.value === sent) { return; }
      sent = body.value;
      var data = new FormData();
      data.append("body", sent);
      data.append("language", panel.dataset.language || "en");
      fetch(panel.dataset.url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" }
      }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html !== null && body.value === sent) { panel.innerHTML = html; }
      }).catch(function () { /* keep the last figures; they update on save */ });
    }
    body.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 700);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
