// Saves an LKE answer as soon as it changes and shows the new score; without JavaScript each
// question's own "Simpan" button posts the same form.
(function () {
  "use strict";
  function show(status, text, bad) {
    status.textContent = text;
    status.className = "status " + (bad ? "bad" : "ok");
  }
  function save(form) {
    var status = form.querySelector(".status");
    show(status, "Menyimpan…", false);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok || !result.data.ok) {
        show(status, result.data.pesan || "Gagal menyimpan.", true);
        return;
      }
      show(status, "Tersimpan", false);
      var card = document.getElementById("skor");
      if (card) { card.innerHTML = result.data.kartu; }
    }).catch(function () { show(status, "Gagal menyimpan; periksa koneksi.", true); });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosave")) { save(form); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-autosave")) { event.preventDefault(); save(form); }
  });
})();
