// Soft lock on the article form: tell the server this form is open, show who else has it open.
(function () {
  "use strict";
  var notice = document.querySelector("[data-editing-url]");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!notice || !token) return;
  var seconds = parseInt(notice.dataset.heartbeat, 10) || 30;

  function show(others) {
    var hint = notice.querySelector(".meta");
    notice.querySelectorAll("p:not(.meta)").forEach(function (p) { p.remove(); });
    others.forEach(function (other) {
      var p = document.createElement("p");
      var name = document.createElement("strong");
      name.textContent = other.name;
      p.appendChild(name);
      p.appendChild(document.createTextNode(" has been editing since " + other.since + "."));
      notice.insertBefore(p, hint);
    });
    notice.classList.toggle("hidden", others.length === 0);
  }

  function beat() {
    fetch(notice.dataset.editingUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) show(data.others); })
      .catch(function () { /* presence is a courtesy: never in the way of editing */ });
  }
  window.setInterval(beat, seconds * 1000);
})();
