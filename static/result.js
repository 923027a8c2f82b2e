// The result page of a queued or running comparison: poll the same job endpoint the API uses
// (the session authenticates it) every 2 s — inside the 60 requests/minute limit — move the
// progress bar, and reload once the job is done or failed.
(function () {
  "use strict";
  var card = document.getElementById("result");
  if (!card) return;
  var status = card.dataset.status;
  if (status !== "queued" && status !== "processing") return;
  function poll() {
    fetch(card.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.status === "done" || job.status === "error") { window.location.reload(); return; }
        var pct = job.progress || 0;
        document.getElementById("bar").style.width = pct + "%";
        document.getElementById("pct").textContent = pct;
        document.getElementById("pending-title").textContent = job.status === "queued" ? "Queued — waiting for a worker…" : "Comparing…";
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  setTimeout(poll, 1000);
})();
