// The side panels: queue (oldest first, with a timer), 1-3-5-8 clocks (escalations on top),
// figures, cases and mediations. Queue rows and clocks are buttons: reachable by keyboard.
import type { Row } from "./api";
import { alertKey, picture } from "./state";
import { t } from "./i18n";

const el = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

export function mmss(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  return `${seconds < 0 ? "-" : ""}${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Server time minus local time, learnt from each picture, so countdowns follow the server's clock. */
let skewMs = 0;
export function learnClock(serverAt: string): void {
  skewMs = Date.parse(serverAt) - Date.now();
}
const now = () => Date.now() + skewMs;

export function renderQueue(onOpen: (id: string) => void): void {
  const list = el("queue-list");
  list.replaceChildren(...picture.queue.map((q) => {
    const button = h("button", { type: "button", class: `row priority-${q.priority}`, "data-incident": q.incident_id,
                                 "data-since": q.since },
      h("span", { class: "cat" }, q.category), h("span", { class: "prio" }, t(`priority.${q.priority}`)),
      h("span", { class: "timer", "aria-label": t("waiting") }, ""), h("span", { class: "why" }, q.reason));
    button.addEventListener("click", () => onOpen(q.incident_id));
    return h("li", {}, button);
  }));
  el("queue-empty").hidden = picture.queue.length > 0;
  el("queue-count").textContent = String(picture.queue.length);
  tick();
}

export function renderClocks(onOpen: (id: string) => void, onAck: (key: string) => void, mayAck: boolean): void {
  const alerts = picture.alerts.filter((a) => !picture.acknowledged.has(alertKey(a)));
  el("alert-list").replaceChildren(...alerts.map((a) => {
    const items: (Node | string)[] = [
      h("span", { class: "cat" }, `${t("alerts")}: ${(a.stages ?? []).map((s: string) => t(`stage.${s}`)).join(", ")}`),
      h("span", { class: "id" }, String(a.incident_id).slice(0, 8)),
    ];
    if (mayAck) {
      const ack = h("button", { type: "button", class: "ack" }, t("acknowledge"));
      ack.addEventListener("click", () => onAck(alertKey(a)));
      items.push(ack);
    }
    return h("li", { class: "alert", role: "alert" }, ...items);
  }));
  el("clock-list").replaceChildren(...picture.clocks.map((c) => {
    const button = h("button", { type: "button", class: `row clock${c.escalated.length ? " escalated" : ""}`,
                                 "data-incident": c.incident_id, "data-assignment": c.assignment_id,
                                 "data-deadline": c.deadline },
      h("span", { class: "cat" }, c.category), h("span", { class: "stage" }, t(`stage.${c.stage}`)),
      h("span", { class: "countdown" }, ""), h("span", { class: "who" }, c.officer_ids.join(", ")));
    button.addEventListener("click", () => onOpen(c.incident_id));
    return h("li", {}, button);
  }));
  el("clocks-empty").hidden = picture.clocks.length > 0;
  tick();
}

/** Once a second: queue timers count up, clocks count down and turn red when missed. */
export function tick(): void {
  const at = now();
  document.querySelectorAll<HTMLElement>("#queue-list [data-since]").forEach((row) => {
    row.querySelector(".timer")!.textContent = mmss((at - Date.parse(row.dataset.since!)) / 1000);
  });
  document.querySelectorAll<HTMLElement>("#clock-list [data-deadline]").forEach((row) => {
    const left = (Date.parse(row.dataset.deadline!) - at) / 1000;
    const missed = left <= 0;
    row.classList.toggle("missed", missed);
    row.querySelector(".countdown")!.textContent = missed ? `${t("missed")} ${mmss(-left)}` : mmss(left);
  });
}

function tile(label: string, value: string, below: boolean): HTMLElement {
  return h("div", { class: `tile${below ? " below" : ""}`, role: "group", "aria-label": label },
    h("div", { class: "value" }, value), h("div", { class: "label" }, label));
}

export function renderFigures(figures: Row): void {
  const box = el("figure-tiles");
  const kpis = figures.kpis;
  if (!kpis) {
    box.replaceChildren(h("p", { class: "unavailable" }, t("not_available")));
  } else {
    box.replaceChildren(...(kpis.standings as Row[]).map((s) =>
      tile(s.title ?? s.kpi, s.value == null ? "—" : `${(s.value * 100).toFixed(1)}%`, !!s.below)));
  }
  renderList("case-list", figures.cases, (c) =>
    `${c.id.slice(0, 8)} · ${c.state} · ${c.next_deadline ?? ""} ${when(c.next_deadline_at)}${c.overdue ? " ⚠" : ""}`);
  renderList("mediation-list", figures.mediations, (m) =>
    `${m.id.slice(0, 8)} · ${m.state} · ${when(m.next_session_at)}`);
}

function when(at: string | null): string {
  return at ? new Date(at).toLocaleString(undefined, { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }) : "";
}

function renderList(id: string, rows: Row[] | null | undefined, line: (r: Row) => string): void {
  const list = el(id);
  if (rows == null) list.replaceChildren(h("li", { class: "unavailable" }, t("not_available")));
  else if (!rows.length) list.replaceChildren(h("li", { class: "muted" }, t("none")));
  else list.replaceChildren(...rows.slice(0, 12).map((r) => h("li", {}, line(r))));
}
