// Grading from the keyboard: 1, 2, 3 choose the level, Ctrl+Enter grades and opens the next.
(function () {
  "use strict";
  var form = document.getElementById("grade-form");
  if (!form) { return; }
  var levels = form.querySelectorAll("input[name=level]");
  document.addEventListener("keydown", function (event) {
    var typing = /TEXTAREA|INPUT/.test(document.activeElement.tagName) && document.activeElement.type !== "radio";
    if (!typing && event.key >= "1" && event.key <= String(levels.length)) {
      levels[Number(event.key) - 1].checked = true;
      levels[Number(event.key) - 1].focus();
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); }
  });
})();
