// A send's progress on its admin page: asks the progress endpoint every few seconds and fills in
// the numbers the page already shows. The database is the truth, so closing the page stops
// nothing. The live region speaks only when the status changes or another quarter is done.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  function number(value) {
    return new Intl.NumberFormat(document.documentElement.lang || "da").format(value);
  }

  function watch(root) {
    var url = root.getAttribute("data-nl-progress");
    var every = parseInt(root.getAttribute("data-nl-poll"), 10) || 3000;
    var bar = root.querySelector("progress");
    var live = root.querySelector("[data-nl-announce]");
    var status = root.getAttribute("data-nl-status");
    var quarter = Math.floor((bar ? bar.value : 0) / 25);
    var failures = 0;

    function render(data) {
      document.querySelectorAll("[data-nl-field]").forEach(function (element) {
        var key = element.getAttribute("data-nl-field");
        if (!(key in data)) return;
        var value = data[key];
        element.textContent = typeof value === "number" ? number(value) : value;
      });
      if (bar) {
        bar.value = data.percent;
        bar.textContent = data.percent + " %";
      }
      // Actions that no longer fit the status are hidden (the server refuses them anyway).
      document.querySelectorAll("[data-nl-states]").forEach(function (element) {
        var states = element.getAttribute("data-nl-states").split(" ");
        element.hidden = states.indexOf(data.status) === -1;
      });
      var said = [];
      if (data.status !== status) {
        said.push(fill(root.getAttribute("data-nl-msg-status"), { status: data.status_label }));
        status = data.status;
        root.setAttribute("data-nl-status", status);
      }
      var now = Math.floor(data.percent / 25);
      if (now !== quarter || said.length) {
        quarter = now;
        said.push(fill(root.getAttribute("data-nl-msg-progress"), data));
      }
      if (said.length && live) live.textContent = said.join(" ");
    }

    function tick() {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          render(data);
          if (!data.finished) window.setTimeout(tick, every);
        })
        .catch(function () {
          // A network hiccup: try again, more slowly, and give up after a while.
          failures += 1;
          if (failures < 10) window.setTimeout(tick, every * 2);
        });
    }

    window.setTimeout(tick, every);
  }

  function init() {
    document.querySelectorAll("[data-nl-progress]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
