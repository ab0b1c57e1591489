// The booking page's "Choose everyone in <unit>" buttons: without JavaScript they post the form
// and the page comes back with the unit's colleagues chosen; with it, they tick the boxes here,
// keeping the page (and the choices elsewhere on it) as it is.
(function () {
  "use strict";
  function refresh(button, boxes) {
    var allChosen = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
    button.textContent = allChosen ? button.dataset.unselectLabel : button.dataset.selectLabel;
    button.dataset.chosen = allChosen ? "1" : "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-select-toggle]").forEach(function (button) {
      var unit = button.closest("[data-booking-unit]");
      var boxes = Array.prototype.slice.call(
        unit.querySelectorAll('input[type="checkbox"][name="people"]')
      );
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var choose = button.dataset.chosen !== "1";
        boxes.forEach(function (box) { box.checked = choose; });
        refresh(button, boxes);
      });
      boxes.forEach(function (box) {
        box.addEventListener("change", function () { refresh(button, boxes); });
      });
    });
  });
})();
