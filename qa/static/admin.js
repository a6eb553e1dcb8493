// The models page follows a training job: poll its JSON status while it runs, show the step
// and percent, then reload so the new version (or the failure's reason) is on the page.
(function () {
  "use strict";
  var box = document.getElementById("train-status");
  if (!box || box.dataset.state !== "running") { return; }
  var bar = document.getElementById("train-progress");
  var text = document.getElementById("train-text");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.state === "running") {
          bar.value = s.percent || 0;
          // the words come from the page, in the reader's language ("Running: {step}")
          var running = text.dataset.running || "Running: {step}";
          text.textContent = running.replace("{step}", s.step) + " (" + (s.percent || 0) + "%)";
          window.setTimeout(poll, 1500);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
