// Site-wide progressive enhancements; every action also works without JavaScript.
// Loaded from a file (never inline): the Content-Security-Policy allows scripts from 'self' only.
(function () {
  "use strict";

  // Forms with data-confirm="question" (revoke a key, delete a comparison): agreeing in the
  // dialog sets confirm=yes so the server acts at once; without JavaScript the server shows a
  // confirmation page instead.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.confirm) return;
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    var field = form.querySelector("input[name=confirm]");
    if (field) field.value = "yes";
  });

  // The comparator: say what is happening while the files upload (it can take a while).
  var compare = document.getElementById("compare-form");
  if (compare) {
    compare.addEventListener("submit", function () {
      var button = document.getElementById("compare-button");
      button.disabled = true;
      button.textContent = "Uploading and comparing…";
    });
  }

  // Filters that apply as soon as they change (the Apply button stays for keyboards and no-JS).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
