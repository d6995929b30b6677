// Customer look-up on the registration screen: find by phone, e-mail or name as the operator types.
(function () {
  const search = document.getElementById("customer-search");
  if (!search) return;
  const results = document.getElementById("customer-results");
  const contactInput = document.querySelector("input[name=contact]");
  const chosen = document.getElementById("customer-chosen");
  const chosenLabel = document.getElementById("customer-chosen-label");
  const newCustomer = document.getElementById("customer-new");
  let timer = null;
  let lastQuery = "";

  function choose(item) {
    contactInput.value = item.id;
    chosenLabel.textContent = item.label + (item.phone ? " · " + item.phone : "") + (item.email ? " · " + item.email : "");
    chosen.hidden = false;
    newCustomer.hidden = true;
    results.hidden = true;
    search.value = "";
    // Other parts of the form (the live duplicate search) follow the customer chosen.
    contactInput.dispatchEvent(new Event("change", { bubbles: true }));
    document.getElementById("id_wording").focus();
  }

  function render(items) {
    results.replaceChildren();
    items.forEach(function (item) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.tabIndex = 0;
      li.textContent = item.label + (item.phone ? " · " + item.phone : "") + (item.email ? " · " + item.email : "");
      li.addEventListener("click", function () { choose(item); });
      li.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); choose(item); } });
      results.appendChild(li);
    });
    results.hidden = items.length === 0;
  }

  async function lookup() {
    const query = search.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    if (query.length < 2) { render([]); return; }
    const response = await fetch(search.dataset.lookupUrl + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } });
    if (!response.ok || query !== search.value.trim()) return;
    const data = await response.json();
    render(data.results);
    // Typing a phone or e-mail that is not known yet pre-fills the new customer's form.
    if (data.results.length === 0) {
      if (/^[+\d\s()-]{5,}$/.test(query)) document.getElementById("id_phone").value = query;
      else if (query.includes("@")) document.getElementById("id_email").value = query;
    }
  }

  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 200); });
  search.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && !results.hidden) { e.preventDefault(); results.firstChild.focus(); }
    if (e.key === "Enter") e.preventDefault();
  });
  document.getElementById("customer-clear").addEventListener("click", function () {
    contactInput.value = "";
    contactInput.dispatchEvent(new Event("change", { bubbles: true }));
    chosen.hidden = true;
    newCustomer.hidden = false;
    search.focus();
  });
})();
