/*
 * Healthtigo chat widget: a launcher and a chat panel talking to the assistant over Socket.IO.
 * Embed: <script src="https://<server>/webhooks/widget/static/widget.js" data-policy-url="..." defer></script>
 * The server, the stylesheet, the Socket.IO client and a relative data-policy-url are found from the script's src.
 * Message text is turned into DOM nodes with textContent only: never innerHTML.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  const STATIC = new URL(".", script.src);
  const SERVER = new URL(script.src).origin;
  const SESSION_KEY = "healthtigo.chat";
  const NOTICE_KEY = "healthtigo.notice";
  const OPEN_KEY = "healthtigo.open";
  const TYPING_TIMEOUT_MS = 30000;
  const PHONE = "469-421-2618";

  // -- Safe rendering ------------------------------------------------------------------------

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  }

  /** The absolute URL if it is http: or https:, else null. */
  function safeUrl(url, base) {
    try {
      const parsed = new URL(url, base);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch {
      return null;
    }
  }

  function link(label, href) {
    return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, label);
  }

  // **bold**, [label](url), a bare http(s) URL, or a phone number (1-800-222-1222, 469-421-2618, 911, 988).
  const INLINE = /\*\*(.+?)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"])|((?:\b1-)?\b\d{3}-\d{3}-\d{4}\b|\(\d{3}\) \d{3}-\d{4}|\b(?:911|988)\b)/g;

  /** Inline text as nodes; with `phones`, phone numbers become tap-to-call (tel:) links. */
  function inline(text, phones) {
    const out = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(INLINE)) {
      const [whole, bold, label, href, bare, phone] = match;
      out.append(text.slice(last, match.index));
      if (bold !== undefined) {
        out.append(el("strong", {}, bold));
      } else if (phone !== undefined) {
        out.append(phones ? el("a", { href: `tel:${phone.replace(/\D/g, "")}`, class: "ht-tel" }, phone) : phone);
      } else {
        const url = safeUrl(href ?? bare);  // no base: a relative or javascript: URL stays text
        out.append(url ? link(label ?? bare, url) : whole);
      }
      last = match.index + whole.length;
    }
    out.append(text.slice(last));
    return out;
  }

  /** Message text as a fragment: paragraphs, line breaks, "- " lists, bold, http(s) links and, with
   * `phones` (the assistant's messages), tel: links. */
  function render(text, phones = false) {
    const out = document.createDocumentFragment();
    for (const block of String(text ?? "").split(/\n\s*\n/)) {
      let paragraph = null;
      let list = null;
      for (const line of block.split("\n")) {
        if (line.startsWith("- ")) {
          paragraph = null;
          list = list || out.appendChild(el("ul"));
          list.append(el("li", {}, inline(line.slice(2), phones)));
        } else {
          list = null;
          if (paragraph) paragraph.append(el("br"));
          else paragraph = out.appendChild(el("p"));
          paragraph.append(inline(line, phones));
        }
      }
    }
    return out;
  }

  // -- The panel -----------------------------------------------------------------------------

  const policyUrl = safeUrl(script.dataset.policyUrl || "../policy", STATIC);
  const launcher = el("button", {
    type: "button", class: "ht-launcher", "aria-expanded": "false", "aria-controls": "ht-panel",
  }, "Chat with us");
  const closeButton = el("button", { type: "button", class: "ht-close", "aria-label": "Close chat" }, "\u00d7");
  const endButton = el("button", { type: "button", class: "ht-end" }, "End chat");
  const ackButton = el("button", { type: "button", class: "ht-primary" }, "I understand");
  const notice = el("div", { class: "ht-notice" },
    el("p", {}, "You are chatting with Healthtigo's automated assistant. It is not a clinician: "
      + "it can't examine you or diagnose anything."),
    el("p", { class: "ht-notice-911" }, "In an emergency, call 911."),
    el("p", {}, "What you write is stored securely, as our ",
      policyUrl ? link("data policy", policyUrl) : "data policy", " explains."),
    ackButton);
  const status = el("div", { class: "ht-status", role: "status" });
  const log = el("div", {
    class: "ht-log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0",
  });
  const typingIndicator = el("div", { class: "ht-typing", hidden: "" },
    el("span", { class: "ht-dot", "aria-hidden": "true" }), el("span", { class: "ht-dot", "aria-hidden": "true" }),
    el("span", { class: "ht-dot", "aria-hidden": "true" }), el("span", { class: "ht-sr" }, "The assistant is typing"));
  const input = el("input", {
    id: "ht-input", type: "text", autocomplete: "off", maxlength: "1600", enterkeyhint: "send",
  });
  const form = el("form", { class: "ht-form" },
    el("label", { for: "ht-input", class: "ht-sr" }, "Your message"), input,
    el("button", { type: "submit", class: "ht-primary" }, "Send"));
  const chat = el("div", { class: "ht-chat" }, status, log, typingIndicator, form);
  const panel = el("div", {
    id: "ht-panel", class: "ht-panel", role: "dialog", "aria-label": "Healthtigo assistant", hidden: "",
  },
  el("div", { class: "ht-header" },
    el("div", {}, el("h2", {}, "Healthtigo assistant"), el("p", {}, "Automated, not a clinician")),
    el("div", { class: "ht-actions" }, endButton, closeButton)),
  notice, chat);
  const root = el("div", { class: "ht-root" }, panel, launcher);

  function acknowledged() {
    return sessionStorage.getItem(NOTICE_KEY) === "1";
  }

  function showNoticeOrChat() {
    notice.hidden = acknowledged();
    chat.hidden = !acknowledged();
  }

  function open(focus = true) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    sessionStorage.setItem(OPEN_KEY, "1");
    showNoticeOrChat();
    log.scrollTop = log.scrollHeight;
    if (focus) (acknowledged() ? input : ackButton).focus();
    if (acknowledged()) connect();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    sessionStorage.removeItem(OPEN_KEY);
    launcher.focus();
  }

  // -- Messages ------------------------------------------------------------------------------

  function clock(timestamp) {
    const when = new Date((Number(timestamp) || Date.now() / 1000) * 1000);
    return el("time", { class: "ht-time", datetime: when.toISOString() },
      when.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }));
  }

  function show(node) {
    log.append(node);
    log.scrollTop = log.scrollHeight;
  }

  function addUser(text, timestamp) {
    for (const replies of log.querySelectorAll(".ht-replies")) replies.remove();
    show(el("div", { class: "ht-msg ht-user" },
      el("span", { class: "ht-sr" }, "You: "), el("div", { class: "ht-text" }, render(text)), clock(timestamp)));
  }

  function addBot({ text, buttons, emergency, timestamp }) {
    const item = el("div", { class: "ht-msg ht-bot" }, el("span", { class: "ht-sr" }, "Assistant: "));
    if (emergency) {
      item.classList.add("ht-emergency");
      item.setAttribute("role", "alert");
      item.append(el("strong", { class: "ht-alert-title" }, "Emergency"));
    }
    item.append(el("div", { class: "ht-text" }, render(text, true)), clock(timestamp));
    show(item);
    if (Array.isArray(buttons) && buttons.length) {
      show(el("div", { class: "ht-replies", role: "group", "aria-label": "Suggested answers" },
        ...buttons.map(({ title, payload }) => {
          const button = el("button", { type: "button", class: "ht-reply" }, String(title ?? payload));
          button.addEventListener("click", () => send(String(payload ?? title), String(title ?? payload)));
          return button;
        })));
    }
  }

  function note(text) {
    show(el("p", { class: "ht-note" }, text));
  }

  // -- Socket.IO -----------------------------------------------------------------------------

  let socket = null;
  let ready = false;  // session confirmed: messages may be sent
  let pending = [];   // {message, shown} typed while not ready
  let typingTimer = null;

  /** A turn is under way (the typing indicator shows until the first reply) or done (log's data-turn). */
  function waiting(on) {
    clearTimeout(typingTimer);
    typingIndicator.hidden = !on;
    log.dataset.turn = on ? "waiting" : "done";
    if (on) typingTimer = setTimeout(() => waiting(false), TYPING_TIMEOUT_MS);
  }

  function stored() {
    try {
      return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || {};
    } catch {
      return {};
    }
  }

  function flush() {
    for (const { message } of pending) socket.emit("user_uttered", { message });
    pending = [];
  }

  function send(message, shown = message) {
    if (!message.trim()) return;
    addUser(shown);
    waiting(true);
    if (ready) socket.emit("user_uttered", { message });
    else pending.push({ message, shown });
    input.focus();
  }

  function offline() {
    ready = false;
    waiting(false);
    status.textContent = socket.active
      ? "Connection lost. Reconnecting\u2026"
      : `The chat is unavailable. Please reload the page or call ${PHONE}. In an emergency, call 911.`;
  }

  function onConfirm({ session_id, token, resumed }) {
    const previous = stored().session_id;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ session_id, token }));
    status.textContent = "";
    ready = true;
    if (resumed) return;  // the history follows
    if (previous && previous !== session_id && log.childElementCount) note("A new conversation has started.");
    flush();
  }

  /** The session's token was renewed (it expires after 30 idle minutes). */
  function onToken({ token }) {
    const { session_id } = stored();
    if (session_id) sessionStorage.setItem(SESSION_KEY, JSON.stringify({ session_id, token }));
  }

  /** The chat was ended (here, in another tab, or by the page's logout): nothing of it stays. */
  function onEnded() {
    sessionStorage.removeItem(SESSION_KEY);
    log.replaceChildren();
    note("This chat has ended. Write below to start a new one.");
    ready = false;
    socket.emit("session_request", {});
  }

  /** End the chat: its token stops working, here and on every replica. */
  function endChat() {
    if (socket && socket.connected) socket.emit("session_end", {});
    else sessionStorage.removeItem(SESSION_KEY);
  }

  function onHistory({ messages }) {
    log.replaceChildren();
    for (const message of messages || []) {
      if (message.sender === "user") addUser(message.text, message.timestamp);
      else addBot(message);
    }
    for (const { shown } of pending) addUser(shown);
    flush();
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      document.head.append(Object.assign(el("script", { src }), { onload: resolve, onerror: reject }));
    });
  }

  function connect() {
    if (socket) return;
    socket = {};  // connecting
    loadScript(new URL("vendor/socket.io.min.js", STATIC).href).then(() => {
      socket = window.io(SERVER, { path: "/socket.io" });
      socket.on("connect", () => socket.emit("session_request", stored()));
      socket.on("session_confirm", onConfirm);
      socket.on("history", onHistory);
      socket.on("session_token", onToken);
      socket.on("session_ended", onEnded);
      socket.on("session_refused", ({ text }) => { status.textContent = text; });
      socket.on("bot_uttered", (message) => {
        typingIndicator.hidden = true;
        addBot(message);
      });
      socket.on("turn_done", () => waiting(false));
      socket.on("disconnect", offline);
      socket.on("connect_error", offline);
    }, () => {
      socket = null;
      status.textContent = `The chat could not load. Please reload the page or call ${PHONE}.`;
    });
  }

  // -- Start ---------------------------------------------------------------------------------

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  closeButton.addEventListener("click", close);
  endButton.addEventListener("click", endChat);
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      close();
    }
  });
  ackButton.addEventListener("click", () => {
    sessionStorage.setItem(NOTICE_KEY, "1");
    open();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
  });

  document.head.append(el("link", { rel: "stylesheet", href: new URL("widget.css", STATIC).href }));
  document.body.append(root);
  if (sessionStorage.getItem(OPEN_KEY) === "1") open(false);
  else if (acknowledged()) connect();

  /** endChat: for the embedding page's logout. render: for tests (it only builds DOM nodes from text). */
  window.HealthtigoWidget = Object.freeze({ render, endChat });
})();
