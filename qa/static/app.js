// Transcript <-> audio: clicking (or Enter on) a timed segment seeks the player; the playing segment is highlighted.
(function () {
  var player = document.getElementById("player");
  if (!player) return;
  var segments = Array.prototype.slice.call(document.querySelectorAll(".seg[data-start]"));
  function seek(el) {
    player.currentTime = parseFloat(el.dataset.start);
    player.play().catch(function () {});
  }
  function own(e) { return !e.target.closest("button, a, input"); }  // a control inside acts alone
  segments.forEach(function (el) {
    el.addEventListener("click", function (e) { if (own(e)) seek(el); });
    el.addEventListener("keydown", function (e) { if (own(e) && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); seek(el); } });
  });
  player.addEventListener("timeupdate", function () {
    var t = player.currentTime, current = null;
    segments.forEach(function (el) { if (parseFloat(el.dataset.start) <= t) current = el; });
    segments.forEach(function (el) { el.classList.toggle("playing", el === current); });
  });
})();
