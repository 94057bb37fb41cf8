// Starts the chat widget (rasa-webchat, website/package.json) on a page of the demo website.
// Embedding on another site: see docs/website.md.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var SESSION_KEY = "chat_session"; // where rasa-webchat keeps the conversation (params.storage "local")
  var PAGE_LANGUAGE_KEY = "journey_page_language"; // sessionStorage, once there is a conversation
  var CHOSEN_LANGUAGE_KEY = "journey_chosen_language";

  // The page context sent with every message (Rasa's message metadata, see bot/journey/touchpoint.py).
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
    ref: query.get("ref") || "", // a customer's referral link (bot/aftersale/referrals.py)
    language: navigator.language || "",
    page_language: document.documentElement.lang,
    time_zone: (window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone) || "" // meeting times in the chat
  };

  // Nothing is written to the browser before the visitor opens the chat (§ 25 TTDSG/TDDDG,
  // docs/website.md). So this tab remembers the page language (to notice the language switch)
  // only once there is a conversation: the visitor opened the chat on this or an earlier page.
  function hasConversation() {
    try { return window.localStorage.getItem(SESSION_KEY) !== null; } catch (error) { return false; }
  }
  function rememberPageLanguage() {
    try {
      var previous = window.sessionStorage.getItem(PAGE_LANGUAGE_KEY);
      if (previous && previous !== pageLanguage) window.sessionStorage.setItem(CHOSEN_LANGUAGE_KEY, pageLanguage);
      window.sessionStorage.setItem(PAGE_LANGUAGE_KEY, pageLanguage);
      return window.sessionStorage.getItem(CHOSEN_LANGUAGE_KEY);
    } catch (error) { return null; } // storage blocked: browser language
  }

  // The widget speaks the language the bot speaks at first: the browser's (German or English;
  // other browser languages get the page's), until the visitor uses the site's language switch
  // during a conversation. The bot decides the same way (bot/journey/inference.py).
  var pageLanguage = document.documentElement.lang;
  var browser = (navigator.language || "").slice(0, 2).toLowerCase();
  var language = config.labels[browser] ? browser : pageLanguage;
  if (hasConversation()) language = rememberPageLanguage() || language;
  var labels = config.labels[language] || config.labels.de;

  // Bot messages are Markdown, and rasa-webchat 1.0.1 renders every link and image in them as
  // they come (react-markdown with transformLinkUri: null): [x](javascript:…) would be a link that
  // runs a script and ![a](http://…) an image loaded from anywhere. So before the widget sees a
  // message (our bot_uttered listener runs before its own: it is registered first, and gets the
  // same object), its text is rewritten: a link to http(s), mailto or tel stays a link, and every
  // other "[", "]" and "<" becomes a character reference, which Markdown shows as that character
  // and never reads as syntax. Without "[" no link or image can start; without "<" no autolink or
  // HTML. Bare http(s) URLs stay links (Markdown makes only those and mailto into links).
  var SAFE_LINK = /^\[([^[\]\n]*)\]\(((?:https?:\/\/|mailto:|tel:)[^\s()<>\\]+)\)/i;
  var SAFE_URL = /^(?:https?:\/\/|mailto:|tel:)/i;
  var MARKDOWN_ESCAPES = "\\`*{}[]()#+-.!_>~|"; // what a backslash escapes in the widget's Markdown
  var PUNCTUATION = /[!-/:-@[-`{-~]/;

  function reference(character) { return "&#" + character.charCodeAt(0) + ";"; }

  function safeMarkdown(text) {
    var out = "";
    for (var i = 0; i < text.length; i += 1) {
      var character = text.charAt(i);
      var next = text.charAt(i + 1);
      if (character === "\\" && PUNCTUATION.test(next)) {
        // An escaped character stays one. The widget's Markdown knows fewer escapes than CommonMark
        // (not "\<", which bot/text.py writes), so the others become the character's reference.
        out += MARKDOWN_ESCAPES.indexOf(next) >= 0 ? character + next : reference(next);
        i += 1;
      } else if (character === "[" && text.charAt(i - 1) !== "!" && SAFE_LINK.test(text.slice(i))) {
        var link = SAFE_LINK.exec(text.slice(i));
        out += "[" + safeMarkdown(link[1]) + "](" + link[2] + ")";
        i += link[0].length - 1;
      } else {
        out += character === "[" || character === "]" || character === "<" ? reference(character) : character;
      }
    }
    return out;
  }

  function safeButtons(buttons) {
    return buttons.filter(function (button) { return !button || !button.url || SAFE_URL.test(String(button.url)); });
  }

  function makeSafe(message) {
    if (!message || typeof message !== "object") return;
    if (typeof message.text === "string") message.text = safeMarkdown(message.text);
    if (Array.isArray(message.quick_replies)) message.quick_replies = safeButtons(message.quick_replies);
    if (Array.isArray(message.buttons)) message.buttons = safeButtons(message.buttons);
  }

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
    // "open" (WIDGET_CONNECT_ON, the default): the widget connects, stores and sends nothing until
    // the visitor opens the chat (or has opened it before: then it continues that conversation).
    // "mount": connect on page load, so the bot greets before the chat is opened; it stores a
    // session and sends the page context for every visitor, so it needs consent (docs/website.md).
    connectOn: config.connectOn,
    hideWhenNotConnected: config.connectOn !== "open", // with "open" the button must show before it connects
    // Messages of one answer appear one after another: 0.4 to 1.2 s each (the default is up to 3 s).
    customMessageDelay: function (message) { return Math.min(1200, Math.max(400, message.length * 10)); },
    withRules: false,
    innerRef: function (element) { widget = element; },
    onSocketEvent: {
      bot_uttered: function (message) {
        makeSafe(message);
        pendingMessages.push(Date.now()); // announced when the widget shows it
      },
      // After the widget has stored the (new or resumed) session id.
      session_confirm: function () {
        rememberPageLanguage();
        window.setTimeout(sendPageView, 0);
      }
    }
  }, null);

  // Accessibility and phones: what rasa-webchat 1.0.1 leaves out, added from outside (no fork;
  // docs/website.md, "Phones and accessibility"). The widget renders with React, which keeps
  // attributes it does not manage, so a MutationObserver adds them to every element it renders.
  var announcer = document.createElement("div"); // bot messages for screen readers
  announcer.className = "visually-hidden";
  announcer.setAttribute("aria-live", "polite");
  announcer.setAttribute("role", "status");
  announcer.id = "chat-announcer";
  document.body.appendChild(announcer);
  var pendingMessages = []; // times of bot messages received and not yet shown (new, not history)
  var chatWasOpen = false;
  var focusInput = false;

  function setAttribute(element, name, value) {
    if (element && element.getAttribute(name) !== value) element.setAttribute(name, value);
  }

  // A message that comes while the chat is closed shows as a tooltip. rasa-webchat renders its
  // tooltip, with a close button, inside the chat button's <button> (a button in a button, WCAG
  // 4.1.2). site.css hides that one; this tooltip, next to the chat button and outside it, shows
  // the same messages (copied from the widget's hidden tooltip, so the widget still decides when
  // there is one and which messages it holds) with real buttons: open the chat, hide the message.
  // Screen readers hear the message once, from #chat-announcer; Escape hides it too.
  var tooltip = document.createElement("div");
  tooltip.id = "chat-tooltip";
  tooltip.className = "chat-tooltip";
  tooltip.hidden = true;
  tooltip.setAttribute("role", "region");
  tooltip.setAttribute("aria-label", labels.tooltip);
  tooltip.setAttribute("lang", language);
  var tooltipClose = document.createElement("button");
  tooltipClose.type = "button";
  tooltipClose.className = "chat-tooltip-close";
  tooltipClose.setAttribute("aria-label", labels.close_message);
  var cross = document.createElement("span");
  cross.setAttribute("aria-hidden", "true");
  cross.textContent = "\u00d7";
  tooltipClose.appendChild(cross);
  var tooltipMessages = document.createElement("div");
  tooltipMessages.className = "chat-tooltip-messages";
  var tooltipOpen = document.createElement("button");
  tooltipOpen.type = "button";
  tooltipOpen.className = "chat-tooltip-open";
  tooltipOpen.textContent = labels.tooltip_open;
  tooltip.appendChild(tooltipClose);
  tooltip.appendChild(tooltipMessages);
  tooltip.appendChild(tooltipOpen);
  document.body.appendChild(tooltip);
  var tooltipShown = ""; // the messages it shows (their HTML in the widget's tooltip)

  // A copy of a rendered message that keeps only text, paragraphs, lists, emphasis and links to
  // http(s), mailto and tel (what makeSafe lets through); nothing else of the widget's markup.
  var KEPT = { P: 1, BR: 1, STRONG: 1, EM: 1, B: 1, I: 1, UL: 1, OL: 1, LI: 1, CODE: 1, A: 1 };
  function copyText(from, to) {
    Array.prototype.forEach.call(from.childNodes, function (node) {
      if (node.nodeType === 3) {
        to.appendChild(document.createTextNode(node.nodeValue));
      } else if (node.nodeType === 1 && node.tagName !== "IMG" && node.tagName !== "SCRIPT") {
        var href = node.tagName === "A" ? node.getAttribute("href") || "" : "";
        var copy = KEPT[node.tagName] && (node.tagName !== "A" || SAFE_URL.test(href))
          ? document.createElement(node.tagName) : document.createDocumentFragment();
        if (node.tagName === "A" && copy.nodeType === 1) {
          copy.setAttribute("href", href);
          if (!/^(mailto|tel):/i.test(href)) copy.setAttribute("target", "_blank");
          copy.setAttribute("rel", "noopener noreferrer");
        }
        copyText(node, copy);
        to.appendChild(copy);
      }
    });
  }

  function hideTooltip(launcher) {
    if (tooltip.hidden) return;
    var hadFocus = tooltip.contains(document.activeElement);
    tooltip.hidden = true;
    tooltipShown = "";
    while (tooltipMessages.firstChild) tooltipMessages.removeChild(tooltipMessages.firstChild);
    if (hadFocus && launcher) launcher.focus(); // not lost at the top of the page
  }

  function showTooltip(container, open, launcher) {
    var source = !open && container.querySelector(".rw-launcher .rw-tooltip-body");
    var texts = source ? Array.prototype.filter.call(source.querySelectorAll(".rw-message-text"), function (text) {
      return !text.closest(".slick-cloned") && text.textContent.trim();
    }) : [];
    if (!texts.length) {
      hideTooltip(launcher);
      return;
    }
    var shown = texts.map(function (text) { return text.innerHTML; }).join("\n");
    if (shown !== tooltipShown) {
      tooltipShown = shown;
      while (tooltipMessages.firstChild) tooltipMessages.removeChild(tooltipMessages.firstChild);
      texts.forEach(function (text) {
        var message = document.createElement("div");
        message.className = "chat-tooltip-message";
        copyText(text, message);
        tooltipMessages.appendChild(message);
      });
    }
    tooltip.hidden = false;
  }

  function openFromTooltip() {
    var launcher = document.querySelector(".rw-launcher");
    if (!launcher) return;
    launcher.focus(); // so the text field takes the focus once the chat is open (label)
    launcher.click();
  }

  function dismissTooltip() {
    // The widget's own close button (hidden): the widget forgets the tooltip, and ours follows.
    var close = document.querySelector(".rw-launcher .rw-tooltip-close button");
    if (close) close.click();
    hideTooltip(document.querySelector(".rw-launcher"));
  }

  tooltipOpen.addEventListener("click", openFromTooltip);
  tooltipClose.addEventListener("click", dismissTooltip);
  tooltipMessages.addEventListener("click", function (event) { // a click on the message, as in the widget
    if (!(event.target.closest && event.target.closest("a"))) openFromTooltip();
  });

  function label(root) {
    var container = root.querySelector(".rw-widget-container");
    if (!container) return;
    var open = !!container.querySelector(".rw-conversation-container");
    setAttribute(container, "lang", language);
    var launcher = container.querySelector(".rw-launcher");
    setAttribute(launcher, "aria-label", open ? labels.close_chat : labels.open_chat);
    setAttribute(launcher, "aria-expanded", open ? "true" : "false");
    container.querySelectorAll(".rw-launcher img").forEach(function (image) { setAttribute(image, "alt", ""); });
    var close = container.querySelector(".rw-close-button");
    setAttribute(close, "type", "button");
    setAttribute(close, "aria-label", labels.close_chat);
    if (close && close.querySelector("img")) setAttribute(close.querySelector("img"), "alt", "");
    setAttribute(container.querySelector(".rw-send"), "aria-label", labels.send);
    setAttribute(container.querySelector(".rw-new-message"), "aria-label", labels.message_input);
    setAttribute(container.querySelector(".rw-messages-container"), "tabindex", "0"); // scrollable by keyboard
    setAttribute(container.querySelector(".rw-messages-container"), "role", "region");
    setAttribute(container.querySelector(".rw-messages-container"), "aria-label", labels.messages);
    // Reply buttons are <div>s with a click handler: make them buttons for keyboards and screen
    // readers (in the open chat; the widget's own tooltip is hidden, see showTooltip).
    container.querySelectorAll(".rw-conversation-container div.rw-reply").forEach(function (reply) {
      setAttribute(reply, "role", "button");
      setAttribute(reply, "tabindex", "0");
    });
    showTooltip(container, open, launcher);
    if (!chatWasOpen && open) focusInput = true;
    var input = container.querySelector(".rw-new-message");
    if (focusInput && open && input && !input.disabled) {
      // Opened: the text field takes the focus once it is enabled (while connecting it is disabled,
      // so the widget's autofocus misses it), unless the visitor has moved on.
      focusInput = false;
      var current = document.activeElement;
      if (!current || current === document.body || current === launcher) input.focus();
    }
    if (chatWasOpen && !open) {
      // Closed: focus goes back to the launcher, not to the top of the page.
      var focused = document.activeElement;
      if ((!focused || focused === document.body || container.contains(focused)) && launcher) launcher.focus();
    }
    chatWasOpen = open;
  }

  function announce(nodes) {
    var now = Date.now();
    pendingMessages = pendingMessages.filter(function (time) { return now - time < 30000; });
    nodes.forEach(function (node) {
      if (!pendingMessages.length || node.nodeType !== 1) return;
      var texts = node.matches(".rw-message-text") ? [node] : node.querySelectorAll(".rw-message-text");
      Array.prototype.forEach.call(texts, function (text) {
        if (!pendingMessages.length || text.closest(".rw-client")) return;
        var words = text.textContent.trim();
        if (!words) return;
        pendingMessages.shift();
        announcer.textContent = words;
      });
    });
  }

  new MutationObserver(function (mutations) {
    var added = [];
    mutations.forEach(function (mutation) { added.push.apply(added, mutation.addedNodes); });
    label(document.body);
    announce(added);
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["disabled"] });
  label(document.body);

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if ((event.key === "Enter" || event.key === " ") && target.matches && target.matches("div.rw-reply")) {
      event.preventDefault();
      target.click();
      window.setTimeout(function () {
        var input = document.querySelector(".rw-new-message");
        if (input && (document.activeElement === document.body || !document.activeElement)) input.focus();
      }, 0);
    } else if (event.key === "Escape" && document.querySelector(".rw-conversation-container")) {
      var close = document.querySelector(".rw-close-button") || document.querySelector(".rw-launcher");
      if (close) close.click();
    } else if (event.key === "Escape" && !tooltip.hidden) {
      dismissTooltip();
    }
  });

  // Phones: iOS shows the on-screen keyboard over the page and shrinks only the visual viewport,
  // so the open chat (site.css) takes the visual viewport's top and height, and its header and
  // text field stay in view. Not while the visitor zooms in.
  function fitChat() {
    var viewport = window.visualViewport;
    var root = document.documentElement.style;
    if (!viewport || Math.abs(viewport.scale - 1) > 0.01) {
      root.removeProperty("--chat-top");
      root.removeProperty("--chat-height");
      return;
    }
    root.setProperty("--chat-top", Math.round(viewport.offsetTop) + "px");
    root.setProperty("--chat-height", Math.round(viewport.height) + "px");
    var list = document.querySelector(".rw-messages-container"); // the latest message stays in view
    if (list) list.scrollTop = list.scrollHeight;
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitChat);
    window.visualViewport.addEventListener("scroll", fitChat);
    fitChat();
  }

  document.getElementById("chat-restart").addEventListener("click", function () {
    try {
      window.localStorage.removeItem(SESSION_KEY);
      window.sessionStorage.removeItem(PAGE_LANGUAGE_KEY);
      window.sessionStorage.removeItem(CHOSEN_LANGUAGE_KEY);
    } catch (error) { /* storage blocked: nothing stored */ }
    window.location.reload();
  });
})();
