// mes-bot web page.  Every text is set with textContent (never as HTML); the conversation token
// lives only in this variable: no cookie, no storage.  Replies come back in the response.
"use strict";
(function () {
  var ui = JSON.parse(document.getElementById("ui").textContent);
  var lang = document.documentElement.lang in ui ? document.documentElement.lang : "fr";
  var token = null;
  var starting = null;
  var pending = false;
  var log = document.getElementById("log");
  var statusEl = document.getElementById("status");
  var form = document.getElementById("composer");
  var input = document.getElementById("msg");
  var URL_RE = /(https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?])/g;

  function t(key) { return (ui[lang] && ui[lang][key]) || ""; }

  function applyLanguage() {
    document.documentElement.lang = lang;
    var other = lang === "fr" ? "en" : "fr";
    document.title = t("title");
    document.getElementById("title").textContent = t("title");
    document.getElementById("tagline").textContent = t("tagline");
    document.getElementById("msg-label").textContent = t("input_label");
    document.getElementById("send").textContent = t("send");
    document.getElementById("privacy-note").textContent = t("privacy_note");
    document.getElementById("erase").textContent = t("erase");
    log.setAttribute("aria-label", t("conversation"));
    input.setAttribute("placeholder", t("placeholder"));
    var sw = document.getElementById("switch");
    sw.textContent = ui[other].switch_to;
    sw.setAttribute("lang", other);
  }

  function setStatus(text) { statusEl.textContent = text || ""; }

  function post(path, body, keepalive) {
    return fetch(path, {
      method: "POST", credentials: "omit", cache: "no-store", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { status: r.status, data: data };
      });
    });
  }

  // Plain text with its links made clickable: text nodes and <a> elements, never markup.
  function fillText(el, text) {
    var paras = String(text).split(/\n{2,}/);
    paras.forEach(function (para) {
      var p = document.createElement("p");
      var last = 0;
      para.replace(URL_RE, function (url, _g, offset) {
        p.appendChild(document.createTextNode(para.slice(last, offset)));
        var a = document.createElement("a");
        a.href = url;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
        a.textContent = url;
        p.appendChild(a);
        last = offset + url.length;
        return url;
      });
      p.appendChild(document.createTextNode(para.slice(last)));
      el.appendChild(p);
    });
  }

  function addUser(text) {
    var div = document.createElement("div");
    div.className = "msg user";
    div.setAttribute("lang", lang);
    var who = document.createElement("span");
    who.className = "sr-only";
    who.textContent = t("you") + " : ";
    div.appendChild(who);
    fillText(div, text);
    log.appendChild(div);
  }

  function fileLink(file, label) {
    var bytes = Uint8Array.from(atob(file.data), function (c) { return c.charCodeAt(0); });
    var a = document.createElement("a");
    a.className = "button download";
    a.href = URL.createObjectURL(new Blob([bytes], { type: file.mime }));
    a.download = file.name;
    a.textContent = label;
    return a;
  }

  function addBot(reply, fromClick) {
    var div = document.createElement("div");
    div.className = "msg bot";
    div.setAttribute("lang", reply.lang || lang);
    var who = document.createElement("span");
    who.className = "sr-only";
    who.textContent = t("bot") + " : ";
    div.appendChild(who);
    fillText(div, reply.text);
    var first = null;
    if (reply.file) {
      var link = fileLink(reply.file, (ui[reply.lang] || ui[lang]).download);
      div.appendChild(link);
      first = link;
      if (fromClick) { setTimeout(function () { link.click(); }, 0); }
    }
    (reply.buttons || []).forEach(function (row) {
      var group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      row.forEach(function (b) {
        var el;
        if (b.url) {
          el = document.createElement("a");
          el.className = "button";
          el.href = b.url;
          el.rel = "noopener noreferrer";
          el.target = "_blank";
        } else {
          el = document.createElement("button");
          el.type = "button";
          el.dataset.payload = b.payload;
          if (b.download) { el.className = "download"; }
        }
        el.textContent = b.label;
        group.appendChild(el);
        if (!first) { first = el; }
      });
      div.appendChild(group);
    });
    log.appendChild(div);
    return first;
  }

  // initial: the first replies (no focus move, no scroll: a phone keeps its keyboard closed)
  function render(data, fromClick, initial) {
    var focus = null;
    var firstNew = null;
    (data.replies || []).forEach(function (r) {
      var f = addBot(r, fromClick);
      if (!firstNew) { firstNew = log.lastElementChild; }
      if (f) { focus = f; }
    });
    if (data.lang && data.lang !== lang && ui[data.lang]) { lang = data.lang; applyLanguage(); }
    if (data.ended) { token = null; }
    if (initial) { return; }
    if (focus && fromClick) { focus.focus({ preventScroll: true }); } else { input.focus({ preventScroll: true }); }
    var first = firstNew;
    if (first) { first.scrollIntoView({ block: "start" }); }
  }

  function notice(text) {
    if (text) { render({ replies: [{ text: text, lang: lang, buttons: [] }] }, false); }
  }

  function start() {
    if (starting) { return starting; }
    var params = new URLSearchParams(window.location.search);
    starting = post("/api/start", { lang: lang, start: params.get("start") }).then(function (res) {
      starting = null;
      if (res.status === 200 && res.data.token) {
        token = res.data.token;
        render(res.data, false, !log.firstElementChild);
        return true;
      }
      notice(res.data.text || t("network_error"));
      return false;
    }, function () { starting = null; notice(t("network_error")); return false; });
    return starting;
  }

  function send(body, shown, fromClick) {
    if (pending) { return Promise.resolve(); }
    pending = true;
    setStatus(t("waiting"));
    if (shown) { addUser(shown); }
    var ready = token ? Promise.resolve(true) : start();
    return ready.then(function (ok) {
      if (!ok) { return; }
      body.token = token;
      body.lang = lang;
      return post("/api/message", body).then(function (res) {
        if (res.status === 410) {
          token = null;
          notice(res.data.text);
          return start();
        }
        if (res.status !== 200) { notice(res.data.text || t("network_error")); return; }
        render(res.data, fromClick);
      }, function () { notice(t("network_error")); });
    }).then(function () { pending = false; setStatus(""); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send({ text: text }, text, false);
  });

  log.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-payload]");
    if (!b) { return; }
    send({ choice: b.dataset.payload }, b.textContent, true);
  });

  document.getElementById("switch").addEventListener("click", function () {
    lang = lang === "fr" ? "en" : "fr";
    applyLanguage();
    if (token) { send({ text: "/langue " + lang }, null, false); } else { start(); }
  });

  document.getElementById("erase").addEventListener("click", function () {
    send({ text: "/oubli" }, null, true);
  });

  // Closing the tab (or leaving the page) ends the conversation: its rows are erased.
  window.addEventListener("pagehide", function () {
    if (token) { post("/api/end", { token: token }, true).catch(function () {}); token = null; }
  });

  start();
})();
