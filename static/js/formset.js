// "Add a row" for Django formsets: clones the empty form (its __prefix__ replaced by the next
// index) and raises TOTAL_FORMS. Without script the page still offers its blank rows.
(function () {
  "use strict";
  document.querySelectorAll("button[data-add]").forEach(function (button) {
    var prefix = button.dataset.add;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var container = document.querySelector("[data-formset='" + prefix + "']");
    var template = document.getElementById(prefix + "-empty");
    if (!total || !container || !template) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = Number(total.value);
      if (max && index >= Number(max.value)) { button.disabled = true; return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      container.insertAdjacentHTML("beforeend", html);
      var legend = container.lastElementChild.querySelector("legend");
      if (legend) { legend.textContent += " " + (index + 1); }
      total.value = String(index + 1);
    });
  });
})();
