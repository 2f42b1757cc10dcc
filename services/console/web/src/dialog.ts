// The incident dialog: candidates with ETA and reasons → assign (queued) or override (open order)
// with a required reason, and the incident's timeline. A native <dialog>: Esc closes it and
// focus stays inside while it is open.
import { ApiError, call, type Row } from "./api";
import { t } from "./i18n";
import { picture } from "./state";

const el = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
let current: string | null = null;

export function setupDialog(tenant: () => string, mayAssign: () => boolean): void {
  el("dialog-close").addEventListener("click", () => el<HTMLDialogElement>("incident-dialog").close());
  el("timeline-btn").addEventListener("click", () => current && void showTimeline(current, tenant()));
  el<HTMLFormElement>("assign-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (current && mayAssign()) void send(current);
  });
}

export async function openIncident(id: string, tenant: string, mayAssign: boolean): Promise<void> {
  current = id;
  const dialog = el<HTMLDialogElement>("incident-dialog");
  const incident = picture.incidents.get(id);
  el("dialog-title").textContent = `${t("incident")} ${incident?.category ?? ""} · ${t(`state.${incident?.state}`)}`;
  el("dialog-detail").textContent = incident
    ? `${t(`priority.${incident.priority}`)} · ${incident.district ?? ""} ${incident.grid ?? ""} · ${id}` : id;
  el("assign-form").hidden = !mayAssign;
  el("candidate-list").replaceChildren();
  el("assign-message").textContent = "";
  el("timeline-list").replaceChildren();
  el<HTMLTextAreaElement>("reason").value = "";
  el<HTMLInputElement>("force").checked = false;
  if (!dialog.open) dialog.showModal();
  if (!mayAssign) return;
  const found = await call(`/v1/console/incidents/${id}/candidates?tenant=${tenant}`);
  el("queue-reason").textContent = found.queue_reason ?? "";
  const order = picture.clocks.find((c) => c.incident_id === id);
  el("assign-btn").textContent = order ? t("override") : t("assign");
  el("candidate-list").replaceChildren(...found.candidates.map((c: Row, index: number) => {
    const li = document.createElement("li");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "officer";
    box.value = c.officer_id;
    box.id = `cand-${index}`;
    const label = document.createElement("label");
    label.htmlFor = box.id;
    const eta = c.eta_s == null ? "—" : `${(c.eta_s / 60).toFixed(1)} ${t("min")}`;
    label.textContent = `${c.name} (${c.officer_id}) · ${c.department} · ${t(`status.${c.status}`)} · ` +
      `${t(`mode.${c.mode}`)} · ${t("eta")} ${eta} — ${c.reasons.join("; ")}`;
    li.className = c.fits ? "fits" : "misfit";
    li.append(box, label);
    return li;
  }));
  el<HTMLInputElement>("cand-0")?.focus();
}

async function send(id: string): Promise<void> {
  const chosen = [...document.querySelectorAll<HTMLInputElement>("#candidate-list input:checked")].map((b) => b.value);
  const reason = el<HTMLTextAreaElement>("reason").value.trim();
  const message = el("assign-message");
  const order = picture.clocks.find((c) => c.incident_id === id);
  if (!order && !chosen.length) {
    message.textContent = t("pick_officer");
    return;
  }
  if (!reason) {
    el<HTMLTextAreaElement>("reason").focus();
    el<HTMLTextAreaElement>("reason").reportValidity();
    return;
  }
  const body = JSON.stringify({ officer_ids: chosen, reason, force: el<HTMLInputElement>("force").checked });
  const path = order ? `/v1/console/assignments/${order.assignment_id}/reassign` : `/v1/console/incidents/${id}/assign`;
  try {
    const made = await call(path, { method: "POST", body });
    message.textContent = `${t("assigned_ok")}: ${made.officer_ids.join(", ")}`;
    message.dataset.assignment = made.id;
  } catch (error) {
    const problem = error instanceof ApiError ? error.problem : {};
    message.textContent = `${(error as Error).message}${problem.unmet ? ` (${problem.unmet})` : ""}`;
  }
}

async function showTimeline(id: string, tenant: string): Promise<void> {
  const found = await call(`/v1/console/incidents/${id}/timeline?tenant=${tenant}`);
  el("timeline-list").replaceChildren(...found.entries.map((e: Row) => {
    const li = document.createElement("li");
    li.textContent = `${new Date(e.at).toLocaleTimeString()} · ${e.source} · ${e.what} ${e.detail}`;
    return li;
  }));
}
