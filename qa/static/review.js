// Review workspace keyboard: j/k move between criteria, number keys answer the focused one
// (1 = yes, 0 = no on yes/no criteria), n = N/A, c = comment, a = anchor the comment to the
// selected transcript segment, s = accept the AutoQA suggestion, Ctrl/Cmd+Enter submits.
// "Accept suggestion" only pre-fills the answer: the reviewer still submits. Also records the time spent on the page.
(function () {
  var form = document.getElementById("review-form");
  if (!form) return;
  var opened = Date.now();
  var criteria = Array.prototype.slice.call(form.querySelectorAll("fieldset.criterion"));
  var selectedSeg = null;
  var current = -1;

  function focusCriterion(index) {
    if (!criteria.length) return;
    current = Math.max(0, Math.min(criteria.length - 1, index));
    criteria.forEach(function (el, i) { el.classList.toggle("active", i === current); });
    var el = criteria[current];
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
    highlightEvidence(el.dataset.key);
  }

  function highlightEvidence(key) {
    document.querySelectorAll(".seg.ev-focus").forEach(function (s) { s.classList.remove("ev-focus"); });
    if (!key) return;
    document.querySelectorAll(".seg[data-evidence]").forEach(function (s) {
      if (s.dataset.evidence.split(" ").indexOf(key) >= 0) s.classList.add("ev-focus");
    });
  }

  function choose(fieldset, value) {
    var input = fieldset.querySelector('input[type=radio][value="' + value + '"]');
    if (input) { input.checked = true; input.dispatchEvent(new Event("change", { bubbles: true })); }
    return !!input;
  }

  function typing(target) {
    return target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "radio" && target.type !== "checkbox") || target.tagName === "SELECT");
  }

  criteria.forEach(function (el, i) {
    el.addEventListener("focusin", function () {
      current = i;
      criteria.forEach(function (other, j) { other.classList.toggle("active", j === i); });
      highlightEvidence(el.dataset.key);
    });
    // after answering by mouse, move on to the next criterion
    el.addEventListener("change", function (e) {
      if (e.target.type === "radio" && i < criteria.length - 1 && e.isTrusted) focusCriterion(i + 1);
    });
  });

  function accept(button) {
    var fieldset = button.closest("fieldset.criterion");
    if (fieldset && choose(fieldset, button.dataset.value)) {
      fieldset.classList.add("suggestion-accepted");
      return true;
    }
    return false;
  }

  form.querySelectorAll("button.accept-suggestion").forEach(function (button) {
    button.addEventListener("click", function () { accept(button); });
  });

  document.querySelectorAll(".seg").forEach(function (seg) {
    seg.addEventListener("click", function () {
      if (selectedSeg) selectedSeg.classList.remove("selected");
      selectedSeg = seg;
      seg.classList.add("selected");
    });
  });

  document.querySelectorAll("a.ev-link").forEach(function (link) {
    link.addEventListener("click", function (e) {
      var seg = document.getElementById("seg-" + link.dataset.pos);
      if (!seg) return;
      e.preventDefault();
      seg.scrollIntoView({ block: "center" });
      seg.click();
    });
  });

  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault();
      var submit = form.querySelector('input[type=submit][name=submit]');
      if (form.requestSubmit) form.requestSubmit(submit); else submit.click();
      return;
    }
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (typing(e.target)) {
      if (e.key === "Escape" && current >= 0) { e.preventDefault(); criteria[current].focus(); }
      return;
    }
    var el = current >= 0 ? criteria[current] : null;
    if (e.key === "j") { e.preventDefault(); focusCriterion(current + 1); }
    else if (e.key === "k") { e.preventDefault(); focusCriterion(current - 1); }
    else if (el && /^[0-9]$/.test(e.key)) {
      if (choose(el, e.key)) { e.preventDefault(); focusCriterion(current + 1); }
    }
    else if (el && e.key === "n") {
      if (choose(el, "na")) { e.preventDefault(); focusCriterion(current + 1); }
    }
    else if (el && e.key === "s") {
      var button = el.querySelector("button.accept-suggestion");
      if (button && accept(button)) { e.preventDefault(); focusCriterion(current + 1); }
    }
    else if (el && e.key === "c") {
      e.preventDefault();
      el.querySelector("textarea").focus();
    }
    else if (el && e.key === "a" && selectedSeg) {
      e.preventDefault();
      el.querySelector("input.segno").value = selectedSeg.dataset.pos;
    }
  });

  form.addEventListener("submit", function () {
    var elapsed = form.querySelector('input[name=elapsed]');
    if (elapsed) elapsed.value = ((Date.now() - opened) / 1000).toFixed(1);
  });
})();
