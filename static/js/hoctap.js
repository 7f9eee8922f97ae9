// Small behaviours every page may use, declared in the markup instead of inline handlers
// (the Content-Security-Policy allows no inline script):
//   <button data-print>             prints the page
//   <input data-select-on-click>    selects its text when tapped (a link to copy)
//   <button data-confirm="...">     asks before submitting its form
//   <table data-sortable>           sorts by a column when its header is tapped
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

(function () {
  "use strict";
  function value(cell) {
    var text = cell.textContent.trim();
    var number = parseFloat(text.replace("%", "").split("/")[0]);
    return isNaN(number) ? text.toLocaleLowerCase("vi") : number;
  }
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var body = table.tBodies[0];
    table.querySelectorAll("thead th").forEach(function (header, column) {
      header.tabIndex = 0;
      header.setAttribute("aria-sort", "none");
      function sort() {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a.cells[column]), y = value(b.cells[column]);
          return (x > y ? 1 : x < y ? -1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
        table.querySelectorAll("thead th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      }
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  });
})();
