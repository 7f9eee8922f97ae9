// Grading from the keyboard: M, P, N mark the next criterion (met, partly met, not met), 1, 2, 3
// choose the level, Ctrl+Enter grades and opens the next. Once every criterion is marked, the
// level the marks point to is shown, and chosen while the grader has not chosen one by hand.
(function () {
  "use strict";
  var form = document.getElementById("grade-form");
  if (!form) { return; }
  var levels = Array.prototype.slice.call(form.querySelectorAll("input[name=level]"));
  var groups = Array.prototype.map.call(form.querySelectorAll("fieldset.criterion"), function (set) {
    return Array.prototype.slice.call(set.querySelectorAll("input[type=radio]"));
  });
  var MARK_KEYS = { m: 0, p: 1, n: 2 };
  var chosenByHand = levels.some(function (input) { return input.checked; });

  function markOf(group) {
    var checked = group.filter(function (input) { return input.checked; })[0];
    return checked ? checked.value : null;
  }

  // The rule of essays/criteria.py level_for; the server applies it again on saving.
  function pointedLevel() {
    var marks = groups.map(markOf);
    if (!marks.length || marks.indexOf(null) !== -1) { return null; }
    if (marks.indexOf("not_met") !== -1) { return "fail"; }
    if (marks.every(function (mark) { return mark === "met"; })) { return "pass"; }
    return "basic_pass";
  }

  function showPointed() {
    var level = pointedLevel();
    form.querySelectorAll("[data-rule-level]").forEach(function (item) {
      item.classList.toggle("pointed", item.getAttribute("data-rule-level") === level);
    });
    if (level && !chosenByHand) {
      levels.forEach(function (input) { input.checked = input.value === level; });
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "level") { chosenByHand = true; }
    showPointed();
  });

  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    var typing = /TEXTAREA|INPUT/.test(active.tagName) && active.type !== "radio";
    if (typing || event.ctrlKey || event.metaKey || event.altKey) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); }
      return;
    }
    var key = event.key.toLowerCase();
    if (key in MARK_KEYS) {
      var group = groups.filter(function (g) { return markOf(g) === null; })[0] ||
        groups.filter(function (g) { return g.indexOf(active) !== -1; })[0];
      if (group && group[MARK_KEYS[key]]) {
        group[MARK_KEYS[key]].checked = true;
        event.preventDefault();
        showPointed();
      }
    } else if (key >= "1" && key <= String(levels.length)) {
      levels[Number(key) - 1].checked = true;
      levels[Number(key) - 1].focus();
      chosenByHand = true;
      event.preventDefault();
      showPointed();
    }
  });
  showPointed();
})();
