// The sales inbox's list (new requests announced) and live chat pages (bot/web/blueprints/live.py): the queue and the transcript update themselves
// from server-sent events, and a message is sent without leaving the page. Without this script the pages still
// work (forms, reload).
(function () {
  "use strict";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var fresh = document.getElementById("new-leads");
  if (fresh) { // the inbox's list: new requests are announced without a reload
    new EventSource(fresh.dataset.stream).addEventListener("new", function () { fresh.hidden = false; });
  }

  var queue = document.getElementById("queue");
  if (queue) {
    new EventSource(queue.dataset.stream).addEventListener("queue", function (event) {
      var items = JSON.parse(event.data);
      queue.replaceChildren();
      if (!items.length) queue.appendChild(element("li", "empty", "Gerade wartet niemand."));
      items.forEach(function (item) {
        var li = element("li", item.state);
        var link = element("a", "", item.name + (item.company ? " · " + item.company : ""));
        link.href = "/live/" + item.id;
        li.appendChild(link);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(element("span", "state", item.state_text + (item.salesperson ? " (" + item.salesperson + ")" : "")));
        li.appendChild(document.createTextNode(" "));
        var meta = ["seit " + item.since + " UTC", item.language, item.phase, item.persona].filter(Boolean);
        li.appendChild(element("span", "meta", meta.join(" · ")));
        queue.appendChild(li);
      });
    });
  }

  var transcript = document.getElementById("transcript");
  if (transcript && transcript.dataset.stream) { // an ended chat has nothing more to say
    var stream = new EventSource(transcript.dataset.stream + "&after=" + transcript.dataset.after);
    stream.addEventListener("line", function (event) {
      var line = JSON.parse(event.data);
      var li = element("li", line.who);
      li.appendChild(element("span", "who", line.who_text));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(element("span", "text", line.text));
      transcript.appendChild(li);
      li.scrollIntoView({block: "nearest"});
    });
    stream.addEventListener("state", function () {
      window.location.reload(); // claimed, ended or missed: the page shows what can be done now
    });
  }

  var form = document.getElementById("say");
  if (form) {
    var error = document.getElementById("say-error");
    var button = form.querySelector("button");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.disabled) return; // one message at a time: a double click sends it once
      var body = new URLSearchParams(new FormData(form));
      error.textContent = "";
      button.disabled = true;
      fetch(form.action, {method: "POST", body: body, headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") === -1) { // signed out meanwhile: a page, not an answer
            throw new Error("Bitte neu anmelden – die Nachricht wurde nicht gesendet.");
          }
          return response.json().then(function (data) { return [response.ok, data]; });
        })
        .then(function (result) {
          if (result[0]) {
            form.elements.text.value = "";
            form.elements.message_id.value = (window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now())).replace(/-/g, "");
            form.elements.text.focus();
          } else {
            error.textContent = result[1].error || "Nicht gesendet."; // the text stays; sending again is safe
          }
        })
        .catch(function (failure) {
          error.textContent = failure && failure.message && failure.message.indexOf("anmelden") !== -1
            ? failure.message : "Keine Verbindung – die Nachricht wurde nicht gesendet.";
        })
        .then(function () { button.disabled = false; });
    });
  }
})();
