// Progressive enhancement of the sign-off lists: the "Select all" links reload the page with the
// entries checked; with scripts, they check (or clear) the boxes in place and keep the password
// typed so far.
(function () {
  "use strict";
  document.querySelectorAll("form.sign-form").forEach(function (form) {
    var boxes = form.querySelectorAll('input[type="checkbox"][name="selected"]');
    form.querySelectorAll("a.select-all").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var which = link.getAttribute("data-select");
        boxes.forEach(function (box) {
          if (which === "all") {
            box.checked = true;
          } else if (which === "none") {
            box.checked = false;
          } else {
            box.checked = box.getAttribute("data-enrollment") === which;
          }
        });
        var first = form.querySelector('input[name="password"]');
        if (first) {
          first.focus();
        }
      });
    });
  });
})();
