// The screen: sign in, then follow the live feed and draw it.
import "./style.css";
import { call, follow, setToken, signedIn, type Row } from "./api";
import { applyStatic, t, toggleLang } from "./i18n";
import { TenantMap, JOINT_COLOURS, STATE_COLOURS, STATUS_COLOURS } from "./map";
import { openIncident, setupDialog } from "./dialog";
import { learnClock, renderClocks, renderFigures, renderQueue, tick } from "./panels";
import { applyBatch, loadPicture, picture } from "./state";

const el = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
let session: Row | null = null;
let tenantMap: TenantMap | null = null;
let figures: Row | null = null;
let feed: AbortController | null = null;

const tenant = () => (el<HTMLSelectElement>("tenant").value || session?.tenant) as string;
const may = (action: string) => !!session?.actions.includes(action);
const sees = (panel: string) => !!session?.panels.includes(panel);
const open = (id: string) => void openIncident(id, tenant(), may("assign"));

// Exposed for the browser test and the benchmark: what the map draws, and when the feed last spoke.
(window as any).oneteamConsole = {
  rendered: (layer: "incidents" | "officers" | "joint") => tenantMap?.rendered(layer) ?? [],
  settled: () => tenantMap?.settled() ?? false,
  drawnAt: (layer: "incidents" | "officers", id: string, lon: number, lat: number) =>
    tenantMap?.drawnAt(layer, id, lon, lat) ?? false,
  lastEventAt: 0,
  events: 0,
  watch: "",  // the benchmark names an officer; `arrived` is when a batch last brought it
  arrived: 0,
  marks: () => Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)])),
};

function legend(): void {
  const rows = [
    ...Object.entries(STATE_COLOURS).map(([k, c]) => [t(`state.${k}`), c, "incident"]),
    ...Object.entries(STATUS_COLOURS).map(([k, c]) => [t(`status.${k}`), c, "officer"]),
    // Dispatch may not list joint operations (an older dispatch): the legend says so, not an empty map.
    ...Object.entries(JOINT_COLOURS).map(([k, c]) => [
      `${t("joint")} · ${t(`joint.${k}`)}${figures && figures.joint == null ? ` (${t("not_available")})` : ""}`, c, "joint"]),
  ];
  el("legend-list").replaceChildren(...rows.map(([label, colour, kind]) => {
    const li = document.createElement("li");
    const paint = kind === "joint" ? `border-color:${colour}` : `background:${colour}`;
    li.innerHTML = `<span class="swatch ${kind}" style="${paint}"></span>`;
    li.append(label);
    return li;
  }));
}

/** Redraw the named parts in full (a batch patches the map's layers itself). */
function redraw(parts: Set<string>): void {
  if (parts.has("incidents")) tenantMap?.set("incidents", () => picture.incidents.values());
  if (parts.has("officers")) tenantMap?.set("officers", () => picture.officers.values());
  if (parts.has("queue")) renderQueue(open);
  if (parts.has("clocks") || parts.has("alerts")) renderClocks(open, acknowledge, may("acknowledge_alert"));
  el("officer-count").textContent = String(picture.officers.size);
  el("incident-count").textContent = String(picture.incidents.size);
}

async function acknowledge(key: string): Promise<void> {
  await call(`/v1/console/alerts/${encodeURIComponent(key)}/acknowledge?tenant=${tenant()}`, { method: "POST" });
  picture.acknowledged.add(key);
  renderClocks(open, acknowledge, may("acknowledge_alert"));
}

function onEvent(name: string, data: Row): void {
  const hook = (window as any).oneteamConsole;
  hook.lastEventAt = performance.now();
  hook.events += 1;
  el("connection").textContent = t("live");
  el("connection").className = "ok";
  if (name === "picture") {
    // Marks the benchmark reads to split first render: feed → picture parsed → drawn.
    performance.mark("picture-parsed");
    loadPicture(data);
    learnClock(data.at);
    redraw(new Set(["incidents", "officers", "queue", "clocks"]));
  } else if (name === "batch") {
    learnClock(data.at);
    const parts = applyBatch(data);
    const hook = (window as any).oneteamConsole;
    if (hook.watch && data.officers?.upsert.some((o: Row) => o.id === hook.watch)) hook.arrived = performance.now();
    for (const layer of ["incidents", "officers"] as const) {
      if (data[layer]) tenantMap?.patch(layer, data[layer].upsert, data[layer].remove);
      parts.delete(layer);
    }
    redraw(parts);
  } else if (name === "figures") {
    figures = data;
    renderFigures(data);
    if (data.hotspots) tenantMap?.set("hotspots", data.hotspots);
    tenantMap?.set("joint", () => data.joint ?? []);
    legend();
  }
}

async function connect(): Promise<void> {
  performance.mark("feed-start");
  feed?.abort();
  feed = new AbortController();
  const signal = feed.signal;
  while (!signal.aborted) {
    try {
      await follow(`/v1/console/stream?tenant=${tenant()}`, onEvent, signal);
    } catch (error) {
      if (signal.aborted) return;
      if ((error as any).status === 401) return signOut();
    }
    el("connection").textContent = t("stale");
    el("connection").className = "bad";
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function start(): Promise<void> {
  try {
    session = await call("/v1/console/session");
  } catch (error) {
    el("signin-error").textContent = (error as Error).message;
    setToken("");
    return showSignIn();
  }
  el("signin").hidden = true;
  el("screen").hidden = false;
  el("who").textContent = `${session!.subject} · ${session!.roles.join(", ")}`;
  el<HTMLSelectElement>("tenant").replaceChildren(...session!.tenants.map((code: string) => new Option(code, code)));
  for (const panel of ["map", "queue", "clocks", "figures", "cases", "mediations"]) {
    el(`panel-${panel}`).hidden = !sees(panel);
  }
  el("no-map").hidden = sees("map");
  if (sees("map")) {
    tenantMap = new TenantMap(el("map"), session!.tile_url, open);
    call(`/v1/console/areas?tenant=${tenant()}`).then((areas) => tenantMap!.showAreas(areas)).catch(() => undefined);
  }
  legend();
  void connect();
}

function showSignIn(): void {
  el("signin").hidden = false;
  el("screen").hidden = true;
  el<HTMLTextAreaElement>("token").focus();
}

function signOut(): void {
  feed?.abort();
  setToken("");
  location.reload();
}

el<HTMLFormElement>("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  setToken(el<HTMLTextAreaElement>("token").value);
  void start();
});
el("signout").addEventListener("click", signOut);
el("tenant").addEventListener("change", () => void connect());
document.querySelectorAll(".lang").forEach((b) => b.addEventListener("click", () => {
  toggleLang();
  legend();
  el("connection").textContent = t(el("connection").className === "bad" ? "stale" : "live");
  renderQueue(open);
  renderClocks(open, acknowledge, may("acknowledge_alert"));
  if (figures) renderFigures(figures);
}));
setupDialog(tenant, () => may("assign"));
setInterval(tick, 1000);
applyStatic();
if (signedIn()) void start();
else showSignIn();
