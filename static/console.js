// The sales console's credits form: shows the paid balance after the change while it is typed,
// and names the button for what it will do. Without JavaScript the form works the same and the
// message after saving says the balance before and after.
(function () {
  const form = document.querySelector("#credits form[data-balance]");
  if (!form) return;
  const before = parseInt(form.dataset.balance, 10);
  const after = form.querySelector(".balance-after");
  const amount = form.querySelector("input[name=amount]");
  const button = form.querySelector("button[type=submit]");
  function update() {
    const removing = form.querySelector("input[name=change]:checked")?.value === "remove";
    const n = parseInt(amount.value, 10);
    button.textContent = removing ? "Remove credits" : "Grant credits";
    if (!(n > 0)) { after.hidden = true; return; }
    const result = before + (removing ? -n : n);
    after.querySelector("strong").textContent = result < 0 ? `${result} — more than the balance, will be refused` : String(result);
    after.classList.toggle("below-zero", result < 0);
    after.hidden = false;
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
