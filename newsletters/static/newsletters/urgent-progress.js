// While an urgent message is being sent, fetch its progress every few seconds and update the
// counts in place (the live region stays, so screen readers hear when it is delivered). The send
// itself runs on the server and keeps going if this page is closed.
(function () {
  var section = document.getElementById("urgent-progress");
  function update(fresh) {
    section.querySelectorAll("[data-count], [data-part]").forEach(function (node) {
      var key = node.dataset.count ? '[data-count="' + node.dataset.count + '"]'
        : '[data-part="' + node.dataset.part + '"]';
      var other = fresh.querySelector(key);
      if (other && other.textContent !== node.textContent) node.textContent = other.textContent;
    });
    var bar = section.querySelector("progress");
    var freshBar = fresh.querySelector("progress");
    if (bar && freshBar) {
      bar.max = freshBar.max;
      bar.value = freshBar.value;
    }
    section.dataset.running = fresh.dataset.running;
  }
  function poll() {
    if (!section || !section.dataset.running) return;
    window.setTimeout(function () {
      fetch(section.dataset.url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) return;
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#urgent-progress");
          if (fresh) update(fresh);
          poll();
        });
    }, 3000);
  }
  poll();
})();
