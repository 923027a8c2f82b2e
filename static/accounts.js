// Progressive enhancements for the API Keys panel; every action also works without JavaScript.
// (Confirm dialogs for revoking are site-wide: static/diffall.js.)
(function () {
  "use strict";

  // Copy buttons: <button data-copy-target="input-id">.
  function copyFrom(button) {
    var input = document.getElementById(button.dataset.copyTarget);
    if (!input) return;
    input.select();
    var done = function () {
      button.textContent = "Copied ✓";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        if (document.execCommand("copy")) done();
      });
    } else if (document.execCommand("copy")) {
      done();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (button) copyFrom(button);
  });

  // Open the "+ New key" form with the name field focused.
  document.querySelectorAll("details.new-key").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (details.open) details.querySelector("input[name=name]").focus();
    });
  });
})();
