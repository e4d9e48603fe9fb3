// Live status for AI-assist jobs in the back office: poll while a job is queued or running.
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-status-url]");
  nodes.forEach(function (node) {
    if (node.dataset.status !== "queued" && node.dataset.status !== "running") return;
    var timer = window.setInterval(function () {
      fetch(node.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) return;
          node.textContent = job.label + (job.status === "running" ? " (" + job.progress + "%)" : "");
          if (job.status === "succeeded" || job.status === "failed") {
            window.clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () { window.clearInterval(timer); });
    }, 1500);
  });
})();
