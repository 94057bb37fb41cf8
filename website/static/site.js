// Starts the chat widget (rasa-webchat, website/package.json) on a page of the demo website.
// Embedding on another site: see docs/website.md.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var SESSION_KEY = "chat_session"; // where rasa-webchat keeps the conversation (params.storage "local")

  // The page context sent with every message (Rasa's message metadata, see bot/touchpoint.py).
  var query = new URLSearchParams(window.location.search);
  var utm = {};
  ["source", "medium", "campaign", "term", "content"].forEach(function (name) {
    var value = query.get("utm_" + name);
    if (value) utm[name] = value;
  });
  var page = {
    path: window.location.pathname,
    url: window.location.href,
    title: document.title,
    referrer: document.referrer,
    utm: utm,
    language: navigator.language || "",
    page_language: document.documentElement.lang
  };

  var widget = null;
  function sendPageView() {
    // Hidden message (no bubble): the bot greets once per page and shows the privacy notice once.
    if (widget && widget.sendMessage) widget.sendMessage("/page_view");
  }

  window.WebChat.default({
    socketUrl: config.socketUrl,
    socketPath: "/socket.io/",
    customData: { page: page },
    title: config.title,
    subtitle: config.subtitle,
    inputTextFieldHint: config.placeholder,
    connectingText: config.connecting,
    params: { storage: "local" },
    withRules: false,
    innerRef: function (element) { widget = element; },
    onSocketEvent: {
      // After the widget has stored the (new or resumed) session id.
      session_confirm: function () { window.setTimeout(sendPageView, 0); }
    }
  }, null);

  document.getElementById("chat-restart").addEventListener("click", function () {
    window.localStorage.removeItem(SESSION_KEY);
    window.location.reload();
  });
})();
