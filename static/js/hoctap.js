// Small behaviours every page may use, declared in the markup instead of inline handlers
// (the Content-Security-Policy allows no inline script):
//   <button data-print>             prints the page
//   <input data-select-on-click>    selects its text when tapped (a link to copy)
//   <button data-confirm="...">     asks before submitting its form
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print], [data-select-on-click], [data-confirm]");
    if (!target) { return; }
    if (target.hasAttribute("data-print")) { window.print(); }
    if (target.hasAttribute("data-select-on-click")) { target.select(); }
    if (target.hasAttribute("data-confirm") && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
