// Behaviour shared by every page, in a file because the content security policy allows no
// inline event handlers: `data-bb-autosubmit` on a select submits its form on change;
// `data-bb-print` on a button opens the print dialog.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-bb-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-bb-print]");
    if (target) {
      window.print();
    }
  });
})();
