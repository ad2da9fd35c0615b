// Small behaviours of the web pages, kept out of the HTML: the Content-Security-Policy allows
// no inline script and no on*= handler (docs/security.md, "Headers").
//   <select data-autosubmit>  submits its form when changed (language switch, filters)
//   <button data-print>       prints the page (referral slip)
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
  }
});
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) {
    event.preventDefault();
    window.print();
  }
});
