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

  // The widget speaks the language the bot speaks at first: the browser's (German or English;
  // other browser languages get the page's), until the visitor uses the site's language switch.
  var pageLanguage = document.documentElement.lang;
  var browser = (navigator.language || "").slice(0, 2).toLowerCase();
  var language = config.labels[browser] ? browser : pageLanguage;
  try {
    var previous = window.sessionStorage.getItem("journey_page_language");
    if (previous && previous !== pageLanguage) window.sessionStorage.setItem("journey_chosen_language", pageLanguage);
    window.sessionStorage.setItem("journey_page_language", pageLanguage);
    language = window.sessionStorage.getItem("journey_chosen_language") || language;
  } catch (error) { /* storage blocked: browser language */ }
  var labels = config.labels[language] || config.labels.de;

  var widget = null;
  var pageViewSent = false;
  function sendPageView() {
    // Hidden message (no bubble), once per page load (not again when the socket reconnects):
    // the bot shows the privacy notice once per conversation and greets each page once.
    if (pageViewSent || !widget || !widget.sendMessage) return;
    pageViewSent = true;
    widget.sendMessage("/page_view");
  }

  window.WebChat.default({
    socketUrl: config.socketUrl,
    socketPath: "/socket.io/",
    customData: { page: page },
    title: labels.title,
    subtitle: labels.subtitle,
    inputTextFieldHint: labels.placeholder,
    connectingText: labels.connecting,
    params: { storage: "local" },
    // "mount": connect on page load, so the bot can greet before the visitor opens the chat.
    // "open" (WIDGET_CONNECT_ON): nothing is stored until the visitor opens the chat.
    connectOn: config.connectOn,
    hideWhenNotConnected: config.connectOn !== "open", // with "open" the button must show before it connects
    // Messages of one answer appear one after another: 0.4 to 1.2 s each (the default is up to 3 s).
    customMessageDelay: function (message) { return Math.min(1200, Math.max(400, message.length * 10)); },
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
