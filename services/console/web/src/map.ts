// The tenant's map: areas from its GeoJSON, incidents by state and priority, officers by status.
// GeoJSON sources only and no remote tiles unless a tile URL is configured: it works offline.
// No symbol layers, so no glyph files are needed; names appear in the page's own text.
import * as maplibregl from "maplibre-gl";
import type { GeoJSONSource, StyleSpecification } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
// The worker is bundled on its own and served by the console like every other file.
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url";
import type { Row } from "./api";

export const STATE_COLOURS: Record<string, string> = {
  reported: "#f2c94c", queued: "#ff6b6b", assigned: "#56ccf2", on_scene: "#bb6bd9",
  handed_off: "#9aa5b1", closed: "#6fcf97",
};
export const STATUS_COLOURS: Record<string, string> = {
  available: "#6fcf97", assigned: "#56ccf2", en_route: "#2d9cdb", on_scene: "#bb6bd9",
  reporting: "#f2994a", on_break: "#9aa5b1", off_duty: "#5c6670",
};
// Joint operations (综合查一次) by how far their checklist is: a ring, so they never hide an incident.
export const JOINT_COLOURS: Record<string, string> = {
  planned: "#f2f2f2", in_progress: "#ffd166", complete: "#6fcf97",
};
const PRIORITY_RADIUS = ["match", ["get", "priority"], "urgent", 12, "high", 10, "normal", 8, 6];

function byKey(colours: Record<string, string>, key: string): any {
  return ["match", ["get", key], ...Object.entries(colours).flat(), "#ffffff"];
}

const empty = (): GeoJSON.FeatureCollection => ({ type: "FeatureCollection", features: [] });

function style(tileUrl: string | null): StyleSpecification {
  const sources: StyleSpecification["sources"] = {
    areas: { type: "geojson", data: empty() },
    hotspots: { type: "geojson", data: empty() },
    joint: { type: "geojson", data: empty() },
    // Ids promoted from the rows, so a batch patches the features it names (updateData)
    // instead of re-sending all 5 000 officers to the map's worker.
    officers: { type: "geojson", data: empty(), promoteId: "id" },
    incidents: { type: "geojson", data: empty(), promoteId: "id" },
  };
  const layers: StyleSpecification["layers"] = [{ id: "background", type: "background", paint: { "background-color": "#0b1220" } }];
  if (tileUrl) {
    sources.tiles = { type: "raster", tiles: [tileUrl], tileSize: 256 };
    layers.push({ id: "tiles", type: "raster", source: "tiles", paint: { "raster-opacity": 0.6 } });
  }
  layers.push(
    { id: "districts", type: "fill", source: "areas", filter: ["==", ["get", "kind"], "district"],
      paint: { "fill-color": "#1b2a41", "fill-opacity": 0.9 } },
    { id: "grids", type: "line", source: "areas", filter: ["==", ["get", "kind"], "grid"],
      paint: { "line-color": "#34507a", "line-width": 1 } },
    { id: "district-lines", type: "line", source: "areas", filter: ["==", ["get", "kind"], "district"],
      paint: { "line-color": "#7aa2d6", "line-width": 2 } },
    { id: "tenant-line", type: "line", source: "areas", filter: ["==", ["get", "kind"], "tenant"],
      paint: { "line-color": "#e6edf3", "line-width": 3 } },
    { id: "hotspots", type: "circle", source: "hotspots",
      paint: { "circle-color": "#f2994a", "circle-opacity": 0.25, "circle-blur": 0.6,
               "circle-radius": ["interpolate", ["linear"], ["get", "count"], 1, 14, 20, 40] } },
    { id: "joint", type: "circle", source: "joint",
      paint: { "circle-color": "rgba(0,0,0,0)", "circle-radius": 11, "circle-stroke-width": 3,
               "circle-stroke-color": byKey(JOINT_COLOURS, "stage") } },
    { id: "officers", type: "circle", source: "officers",
      paint: { "circle-color": byKey(STATUS_COLOURS, "status"), "circle-radius": 4,
               "circle-stroke-color": "#0b1220", "circle-stroke-width": 1 } },
    { id: "incidents", type: "circle", source: "incidents",
      paint: { "circle-color": byKey(STATE_COLOURS, "state"), "circle-radius": PRIORITY_RADIUS as any,
               "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } },
  );
  return { version: 8, sources, layers };
}

// What the officers' layer reads of a row. The rest (name, skills, …) stays in the page's state:
// copying it into 5 000 features only made the map's worker slower to take each picture.
const OFFICER_PROPERTIES = ["id", "status", "mode", "stale"];

function points(rows: Iterable<Row>, keep?: string[]): GeoJSON.FeatureCollection {
  const features: GeoJSON.Feature[] = [];
  for (const row of rows) {
    if (row.lon == null || row.lat == null) continue;
    const { lon, lat, ...all } = row;
    const properties = keep ? Object.fromEntries(keep.map((k) => [k, row[k]])) : all;
    features.push({ type: "Feature", id: row.id, properties,
                    geometry: { type: "Point", coordinates: [lon, lat] } });
  }
  return { type: "FeatureCollection", features };
}

maplibregl.setWorkerUrl(workerUrl);

export class TenantMap {
  readonly map: maplibregl.Map;
  private ready: Promise<void>;
  private pending = new Map<string, () => GeoJSON.FeatureCollection>();
  private patches = new Map<string, { upsert: Row[]; remove: string[] }[]>();
  private frame = 0;

  constructor(container: HTMLElement, tileUrl: string | null, onIncident: (id: string) => void) {
    this.map = new maplibregl.Map({ container, style: style(tileUrl), center: [120.125, 30.29], zoom: 13,
                                    attributionControl: false, fadeDuration: 0 });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
    this.ready = new Promise((resolve) => this.map.on("load", () => resolve()));
    this.map.on("click", "incidents", (e) => {
      const id = e.features?.[0]?.properties?.id;
      if (id) onIncident(String(id));
    });
    this.map.on("mouseenter", "incidents", () => (this.map.getCanvas().style.cursor = "pointer"));
    this.map.on("mouseleave", "incidents", () => (this.map.getCanvas().style.cursor = ""));
  }

  async showAreas(areas: GeoJSON.FeatureCollection): Promise<void> {
    await this.ready;
    (this.map.getSource("areas") as GeoJSONSource).setData(areas);
    const bounds = new maplibregl.LngLatBounds();
    for (const f of areas.features) {
      const g = f.geometry as GeoJSON.Polygon | GeoJSON.MultiPolygon;
      const rings = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      rings.forEach((poly) => poly[0].forEach((c) => bounds.extend(c as [number, number])));
    }
    if (!bounds.isEmpty()) this.map.fitBounds(bounds, { padding: 30, duration: 0 });
  }

  /** Queue a source's new data, read when the frame comes; sources changed in one frame are set together. */
  set(source: "incidents" | "officers" | "hotspots" | "joint", data: GeoJSON.FeatureCollection | (() => Iterable<Row>)): void {
    const keep = source === "officers" ? OFFICER_PROPERTIES : undefined;
    this.pending.set(source, typeof data === "function" ? () => points(data(), keep) : () => data);
    this.patches.delete(source);
    this.schedule();
  }

  /** Queue a batch's changes to a source: the rows that changed and the ids that left. */
  patch(source: "incidents" | "officers", upsert: Row[], remove: string[]): void {
    if (this.pending.has(source)) {
      return; // a full picture is waiting for this frame, and it reads the rows then
    }
    const queued = this.patches.get(source) ?? [];
    queued.push({ upsert, remove });
    this.patches.set(source, queued);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      void this.ready.then(() => {
        for (const [name, fc] of this.pending) {
          (this.map.getSource(name) as GeoJSONSource).setData(fc());
          // The benchmark's split of a first render: the officers handed to the map, then drawn.
          if (name === "officers" && !performance.getEntriesByName("officers-set").length) {
            performance.mark("officers-set");
            this.map.once("idle", () => performance.mark("officers-idle"));
          }
        }
        for (const [name, batches] of this.patches) {
          const source = this.map.getSource(name) as GeoJSONSource;
          for (const { upsert, remove } of batches) {
            const add = points(upsert, name === "officers" ? OFFICER_PROPERTIES : undefined).features;
            source.updateData({ remove: [...remove, ...add.map((f) => f.id as string)], add });
          }
        }
        this.pending.clear();
        this.patches.clear();
      });
    });
  }

  /** Whether the feature `id` of `layer` is drawn at (lon, lat): a query of a few pixels there. */
  drawnAt(layer: "incidents" | "officers", id: string, lon: number, lat: number): boolean {
    const { x, y } = this.map.project([lon, lat]);
    const box: [[number, number], [number, number]] = [[x - 3, y - 3], [x + 3, y + 3]];
    return this.map.queryRenderedFeatures(box, { layers: [layer] }).some((f) => f.properties?.id === id);
  }

  /** Whether every source is loaded and nothing is animating (the map has settled). */
  settled(): boolean {
    return this.map.loaded() && !this.map.isMoving();
  }

  /** Ids of the features of `layer` drawn on screen now (tests and the benchmark read this). */
  rendered(layer: "incidents" | "officers" | "joint"): Row[] {
    return this.map.queryRenderedFeatures({ layers: [layer] }).map((f) => ({
      ...f.properties, lon: (f.geometry as GeoJSON.Point).coordinates[0], lat: (f.geometry as GeoJSON.Point).coordinates[1],
    }));
  }
}
