// The page's copy of the picture: a full `picture` first, then `batch`es naming only what changed.
import type { Row } from "./api";

export interface Picture {
  at: string;
  incidents: Map<string, Row>;
  officers: Map<string, Row>;
  queue: Row[];
  clocks: Row[];
  alerts: Row[];
  acknowledged: Set<string>;
}

export const picture: Picture = {
  at: "", incidents: new Map(), officers: new Map(), queue: [], clocks: [], alerts: [], acknowledged: new Set(),
};

export function loadPicture(data: Row): void {
  picture.at = data.at;
  picture.incidents = new Map(data.incidents.map((r: Row) => [r.id, r]));
  picture.officers = new Map(data.officers.map((r: Row) => [r.id, r]));
  picture.queue = data.queue;
  picture.clocks = data.clocks;
  picture.alerts = data.alerts;
  picture.acknowledged = new Set(data.acknowledged ?? []);
}

/** Apply one batch; returns which parts changed so only those are redrawn. */
export function applyBatch(batch: Row): Set<string> {
  const changed = new Set<string>();
  picture.at = batch.at;
  for (const name of ["incidents", "officers"] as const) {
    const part = batch[name];
    if (!part) continue;
    for (const row of part.upsert) picture[name].set(row.id, row);
    for (const id of part.remove) picture[name].delete(id);
    changed.add(name);
  }
  for (const name of ["queue", "clocks", "alerts"] as const) {
    if (batch[name]) {
      picture[name] = batch[name];
      changed.add(name);
    }
  }
  return changed;
}

export function alertKey(alert: Row): string {
  return `${alert.assignment_id}:${(alert.stages ?? []).join(",")}`;
}
