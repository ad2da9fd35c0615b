// Consultation form: a click on an ICD-10 search result adds it to the chosen diagnoses
// (one hidden "diagnoses" input each); x removes it. Enter in the search box does not submit.
(function () {
  "use strict";
  var search = document.getElementById("icd10-q");
  var results = document.getElementById("icd10-results");
  var selected = document.getElementById("icd10-selected");
  var template = document.getElementById("icd10-chip");
  if (!search || !results || !selected || !template) return;

  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();
  });

  results.addEventListener("click", function (event) {
    var button = event.target.closest(".icd10-pick");
    if (!button) return;
    var code = button.dataset.code;
    var already = selected.querySelector('input[value="' + CSS.escape(code) + '"]');
    if (!already) {
      var chip = template.content.firstElementChild.cloneNode(true);
      chip.querySelector("input").value = code;
      chip.querySelector("strong").textContent = code;
      chip.querySelector("span").textContent = button.dataset.label;
      selected.appendChild(chip);
    }
    results.innerHTML = "";
    search.value = "";
    search.focus();
  });

  selected.addEventListener("click", function (event) {
    if (event.target.classList.contains("chip-remove")) {
      event.target.closest("li").remove();
    }
  });
})();
