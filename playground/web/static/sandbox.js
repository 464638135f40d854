// Deskhand's web sandbox: sends what the person does to the sandbox server (which signs it as
// Slack would and posts it to the app) and redraws what the server says changed. No framework.
"use strict";

const channel = document.body.dataset.channel;
const thread = document.body.dataset.thread || "";  // the thread open in the pane, if one is
const ownView = channel === "workflows";  // the page's own form, drawn once: it keeps what was typed
let version = document.body.dataset.version || null;  // what the server drew the page at
let shown = {main: null, sidebar: null, thread: null};
let noticeId = Number(document.body.dataset.notice || 0);  // said before this page opened
let polling = null;

async function post(verb, body) {
  const response = await fetch(`/sandbox/${verb}`, {
    method: "POST",
    headers: {"content-type": "application/json"},
    body: JSON.stringify(body),
  });
  const answer = response.ok ? await response.json() : {};
  refresh();
  return answer;
}

async function refresh() {
  clearTimeout(polling);
  try {
    const query = new URLSearchParams({c: channel, t: thread, v: version === null ? "" : version});
    const response = await fetch(`/sandbox/state?${query}`);
    if (response.ok) apply(await response.json());
  } catch (err) {
    // The sandbox stopped or restarted: keep asking.
  }
  polling = setTimeout(refresh, 700);
}

function apply(state) {
  // A poll that left before an action may answer after it: never go back to an older state.
  if (version !== null && state.version < Number(version)) return;
  document.getElementById("clock").textContent = state.clock;
  if (state.main === undefined) return;
  version = state.version;
  const main = document.getElementById("main");
  if (!ownView && shown.main !== state.main) {  // redrawn only when it changed: open menus stay open
    // A channel opens at its newest message and follows new ones; the Home tab is a page, not a
    // timeline: it opens at its top and stays where the person scrolled it.
    const follows = channel !== "home";
    const first = shown.main === null;
    const atBottom = follows && (first || main.scrollHeight - main.scrollTop - main.clientHeight < 40);
    const open = [...main.querySelectorAll("[role=menu]:not([hidden])")].map(menuKey);
    main.innerHTML = shown.main = state.main;
    open.forEach((key) => { const menu = findMenu(main, key); if (menu) showMenu(menu, true); });
    if (atBottom) main.scrollTop = main.scrollHeight;
  }
  const pane = document.getElementById("thread-messages");
  if (pane && shown.thread !== state.thread) pane.innerHTML = shown.thread = state.thread;
  if (shown.sidebar !== state.sidebar) {
    document.getElementById("sidebar").innerHTML = shown.sidebar = state.sidebar;
  }
  applyModal(state.modal, state.modal_key);
  if (state.notice && state.notice.id !== noticeId) {
    noticeId = state.notice.id;
    if (state.notice.html) showNotice(state.notice.html);
  }
}

function applyModal(html, key) {
  const root = document.getElementById("modal");
  if (root.dataset.key === key) return;
  const before = root.querySelector(".modal");
  const sameView = before && key.split(":")[0] === root.dataset.key.split(":")[0];
  const typed = sameView ? changedValues(before) : {};
  root.dataset.key = key;
  root.innerHTML = html;
  const after = root.querySelector(".modal");
  if (!after) { document.querySelector("#composer textarea")?.focus(); return; }
  // Slack keeps what was typed when the app updates a form whose fields stay the same.
  for (const [name, value] of Object.entries(typed)) {
    const field = after.querySelector(`[name="${CSS.escape(name)}"]`);
    if (field && field.type !== "hidden") field.value = value;
  }
  if (!sameView) (after.querySelector("input:not([type=hidden]), textarea, select") || after).focus();
}

function changedValues(modal) {
  const out = {};
  modal.querySelectorAll("[name]").forEach((f) => { if (f.dataset.dirty) out[f.name] = f.value; });
  return out;
}

function showNotice(html) {
  // The server drew the notice's mrkdwn as escaped HTML (playground/web/mrkdwn.py), as it does messages.
  const notice = document.getElementById("notice");
  notice.innerHTML = html;
  notice.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { notice.hidden = true; }, 10000);
}

// The message box (and the thread pane's reply box) keeps what was typed until the app has it:
// cleared only once delivered; else the reason shows under the box (a command that does not
// exist, a server that stopped).
async function send(box) {
  if (box.dataset.sending) return;  // Enter again while it is on its way sends it once
  box.dataset.sending = "1";
  const text = box.value;
  const inThread = box.closest("form").id === "thread-composer";
  const error = box.closest("form").querySelector(".composer-error");
  error.hidden = true;
  let answer;
  try {
    const response = await fetch(inThread ? "/sandbox/reply" : "/sandbox/send", {
      method: "POST",
      headers: {"content-type": "application/json"},
      body: JSON.stringify(inThread ? {channel, thread_ts: thread, text} : {channel, text}),
    });
    answer = response.ok ? await response.json() : null;
    if (!answer) error.textContent = `Not sent: the sandbox answered HTTP ${response.status}.`;
  } catch (err) {
    answer = null;
    error.textContent = "Not sent: the sandbox is not answering (is it still running?).";
  }
  delete box.dataset.sending;
  if (answer && answer.delivered) {
    if (box.value === text) box.value = "";
  } else {
    if (answer) error.innerHTML = answer.error;  // drawn from mrkdwn by the server, escaped
    error.append(" What you typed is kept.");
    error.hidden = false;
  }
  refresh();
}

// The Workflows view runs the chosen step with what its form holds. What was typed stays in the
// form whatever happens; the outcome (outputs, or the step's error, and what it did) shows below.
async function runStep(form) {
  if (form.dataset.running) return;  // a second click while it runs runs it once
  form.dataset.running = "1";
  const error = document.getElementById("step-error");
  const outcome = document.getElementById("step-outcome");
  const run = document.getElementById("run-step");
  error.hidden = true;
  run.disabled = true;
  const values = {};
  form.querySelectorAll("[name]").forEach((f) => { values[f.name] = f.value; });
  let answer = null;
  try {
    const response = await fetch("/sandbox/run-step", {
      method: "POST",
      headers: {"content-type": "application/json"},
      body: JSON.stringify({callback_id: form.dataset.step, values}),
    });
    answer = response.ok ? await response.json() : null;
    if (!answer) error.textContent = `Not run: the sandbox answered HTTP ${response.status}.`;
  } catch (err) {
    error.textContent = "Not run: the sandbox is not answering (is it still running?).";
  }
  delete form.dataset.running;
  run.disabled = false;
  if (answer && answer.html !== undefined) {
    outcome.innerHTML = answer.html;  // drawn by the server's template, escaped
    outcome.scrollIntoView({block: "nearest"});
  } else {
    if (answer) error.textContent = answer.error;
    error.append(" What you typed is kept.");
    error.hidden = false;
  }
  refresh();
}

// -- where an element sits ---------------------------------------------------------------------

function where(el) {
  const surface = el.closest("[data-surface]");
  if (!surface) return {};
  if (surface.dataset.surface === "message") {
    return {channel: surface.dataset.channel, ts: surface.dataset.ts};
  }
  const out = {view_id: surface.dataset.viewId};
  if (surface.dataset.surface === "modal") out.values = formValues(surface);
  return out;
}

function formValues(modal) {
  const values = {};
  modal.querySelectorAll(".bk-input").forEach((block) => {
    const kind = block.dataset.inputKind;
    const id = block.dataset.blockId;
    if (kind === "external_select") {
      const hidden = block.querySelector(".bk-combobox-value");
      values[id] = hidden.value ? {value: hidden.value, text: hidden.dataset.text} : null;
    } else if (kind === "static_select") {
      const select = block.querySelector("select");
      const option = select.selectedOptions[0];
      values[id] = select.value ? {value: select.value, text: option.textContent} : null;
    } else {
      const field = block.querySelector("input, textarea");
      values[id] = field ? field.value : null;
    }
  });
  return values;
}

function inInput(el) { return Boolean(el.closest(".bk-input")); }

function act(el, extra) {
  return post("action", {where: where(el), action: {path: el.closest("[data-path]").dataset.path, ...extra}});
}

// -- menus -----------------------------------------------------------------------------------

function menuKey(menu) {
  const article = menu.closest("[data-ts]");
  return `${article ? article.dataset.ts : ""}|${menu.parentElement.dataset.path || "more"}`;
}

function findMenu(root, key) {
  return [...root.querySelectorAll("[role=menu]")].find((m) => menuKey(m) === key);
}

function showMenu(menu, open) {
  menu.hidden = !open;
  const button = menu.previousElementSibling;
  if (button) button.setAttribute("aria-expanded", String(open));
  if (open) menu.querySelector("[role=menuitem]")?.focus();
}

function closeMenus(except) {
  document.querySelectorAll("[role=menu]:not([hidden])").forEach((m) => { if (m !== except) showMenu(m, false); });
}

// -- clicks ----------------------------------------------------------------------------------

document.addEventListener("click", (event) => {
  const el = event.target.closest("button, [role=option]");
  if (!el) { closeMenus(); return; }
  if (el.matches(".more-actions, .bk-overflow-button")) {
    const menu = el.nextElementSibling;
    closeMenus(menu);
    showMenu(menu, menu.hidden);
    return;
  }
  closeMenus();
  if (el.dataset.react) {
    const article = el.closest("[data-ts]");
    post("react", {channel: article.dataset.channel, ts: article.dataset.ts, name: el.dataset.react});
  } else if (el.dataset.shortcut) {
    const article = el.closest("[data-ts]");
    post("shortcut", {channel: article.dataset.channel, ts: article.dataset.ts, callback_id: el.dataset.shortcut});
  } else if (el.matches(".bk-overflow [role=menuitem]")) {
    if (el.dataset.url) window.open(el.dataset.url, "_blank", "noopener");
    act(el, {value: el.dataset.value});
  } else if (el.matches(".command-hints [role=option]")) {
    const box = document.querySelector("#composer textarea");
    box.value = `${el.dataset.command} `;
    hints("");
    box.focus();
  } else if (el.matches("[role=option]")) {
    pick(el);
  } else if (el.dataset.kind === "button") {
    if (el.dataset.confirm && !window.confirm(el.dataset.confirm)) return;
    if (el.dataset.url) window.open(el.dataset.url, "_blank", "noopener");
    act(el, {});
  } else if (el.matches(".modal-submit")) {
    const modal = el.closest(".modal");
    post("submit", {view_id: modal.dataset.viewId, values: formValues(modal)});
  } else if (el.matches(".modal-close")) {
    post("close", {view_id: el.closest(".modal").dataset.viewId});
  } else if (el.id === "jump") {
    post("jump", {});
  } else if (el.id === "run-step") {
    runStep(el.closest("form"));
  }
});

document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.closest(".modal")) el.dataset.dirty = "1";
  if (inInput(el) || !el.dataset.kind) return;
  if (["static_select", "datepicker", "timepicker"].includes(el.dataset.kind)) act(el, {value: el.value});
});

// -- the typeahead (external selects) ----------------------------------------------------------

let typing = null;

// Typing "/" offers the app's slash commands (from manifest.yml), as Slack's message box does.
function hints(typed) {
  const list = document.getElementById("commands");
  if (!list) return;
  const word = typed.startsWith("/") && !/\s/.test(typed) ? typed.toLowerCase() : null;
  let shown = 0;
  list.querySelectorAll("[role=option]").forEach((o) => {
    o.hidden = word === null || !o.dataset.command.startsWith(word);
    if (!o.hidden) shown += 1;
  });
  list.hidden = !shown;
}

document.addEventListener("input", (event) => {
  const input = event.target;
  if (input.matches("#composer textarea")) hints(input.value);
  if (input.closest(".modal")) input.dataset.dirty = "1";
  if (!input.matches(".bk-combobox-input")) return;
  const box = input.closest(".bk-combobox");
  box.querySelector(".bk-combobox-value").value = "";
  clearTimeout(typing);
  typing = setTimeout(() => suggest(box, input.value), 200);
});

async function suggest(box, typed) {
  const list = box.querySelector("[role=listbox]");
  const input = box.querySelector(".bk-combobox-input");
  if (typed.trim().length < Number(box.dataset.minQuery || 3)) { list.hidden = true; return; }
  const response = await fetch("/sandbox/suggest", {
    method: "POST",
    headers: {"content-type": "application/json"},
    body: JSON.stringify({where: where(box), path: box.closest("[data-path]").dataset.path, value: typed}),
  });
  const {options} = response.ok ? await response.json() : {options: []};
  list.replaceChildren();
  let group = null;
  options.forEach((o, n) => {
    if (o.group && o.group !== group) {
      group = o.group;
      const heading = document.createElement("li");
      heading.className = "bk-option-group";
      heading.setAttribute("role", "presentation");
      heading.textContent = o.group;
      list.append(heading);
    }
    const item = document.createElement("li");
    item.setAttribute("role", "option");
    item.id = `${list.id}-${n}`;
    item.dataset.value = o.value;
    item.textContent = o.text;
    list.append(item);
  });
  if (!options.length) {
    const empty = document.createElement("li");
    empty.className = "bk-no-results";
    empty.textContent = "No results";
    list.append(empty);
  }
  list.hidden = false;
  input.setAttribute("aria-expanded", "true");
}

function pick(option) {
  const box = option.closest(".bk-combobox");
  const input = box.querySelector(".bk-combobox-input");
  const hidden = box.querySelector(".bk-combobox-value");
  hidden.value = option.dataset.value;
  hidden.dataset.text = option.textContent;
  input.value = option.textContent;
  input.dataset.dirty = "";
  box.querySelector("[role=listbox]").hidden = true;
  input.setAttribute("aria-expanded", "false");
  if (!inInput(box)) act(box, {option: {value: option.dataset.value, text: option.textContent}});
}

document.addEventListener("keydown", (event) => {
  const el = event.target;
  if (el.matches(".composer textarea") && event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    hints("");
    if (el.value.trim()) send(el);
  } else if (el.matches(".bk-combobox-input") && ["ArrowDown", "ArrowUp", "Enter"].includes(event.key)) {
    const options = [...el.closest(".bk-combobox").querySelectorAll("[role=option]")];
    if (!options.length) return;
    event.preventDefault();
    const at = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (event.key === "Enter") { if (at >= 0) pick(options[at]); return; }
    const next = (at + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
    options.forEach((o, n) => o.setAttribute("aria-selected", String(n === next)));
    el.setAttribute("aria-activedescendant", options[next].id);
  } else if (event.key === "Escape") {
    const modal = document.querySelector(".modal");
    if (document.querySelector("[role=menu]:not([hidden])")) closeMenus();
    else if (modal) post("close", {view_id: modal.dataset.viewId});
  }
});

// Enter in a one-line field would submit its <form> and reload the page: nothing here does that.
document.addEventListener("submit", (event) => event.preventDefault());

if (channel === "home") post("home", {}); else refresh();
document.querySelector("#composer textarea")?.focus();
