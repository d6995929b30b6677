// Behaviour the pages declare with data- attributes; no inline handlers, so the CSP can forbid them.
(function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A collapsed part of the card is fetched when its <details> is first opened (card_page.register_fragment);
  // if that fails, its link opens the card with the part in it.
  document.querySelectorAll("details [data-fragment]").forEach(function (holder) {
    var details = holder.closest("details");
    function load() {
      if (!details.open) return;
      details.removeEventListener("toggle", load);
      fetch(holder.dataset.fragment, {credentials: "same-origin"}).then(function (response) {
        if (!response.ok || response.redirected) throw new Error(response.status);
        return response.text();
      }).then(function (html) {
        holder.outerHTML = html;
      }).catch(function () {
        window.location.href = holder.querySelector("a").href;
      });
    }
    details.addEventListener("toggle", load);
    load();
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
