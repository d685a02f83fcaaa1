// The city's map (Leaflet, bundled: nothing from a CDN). Layers, bottom up:
// - a plain background (the container's colour);
// - the city's raster tiles when appConfig.mapTiles names a tile server (a city
//   setting); a tile that cannot be fetched is hidden, nothing else changes;
// - the city boundary (appConfig.boundary, GeoJSON) as a vector layer, always:
//   with no tiles, or with every tile failing (no internet), the map still shows
//   the city, so it never needs the internet;
// - points (clustered) and, on the report form, the draggable pin.
// Zoom and pan by mouse, touch and keyboard (arrows pan, +/- zoom: Leaflet's own
// keyboard handler on the focusable container). On a pickable map a click or
// tap places the pin, the pin is draggable, Enter/Space on the focused map puts
// it at the map's centre (the crosshair) and arrow keys on the focused pin move
// it by a few screen pixels, so precision follows the zoom.
// No innerHTML with outside text: icons are elements, the tile credit a text node.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import { h, s } from './dom';
import { t } from './i18n';
import { navigate } from './ui';

export interface MapTiles {
  tileUrl: string;
  attribution: string;
  maxZoom: number;
}

export interface MapArea {
  boundary: unknown;
  center: { lat: number; lon: number };
  tiles: MapTiles | null;
}

/** The map settings out of a city's appConfig. */
export function mapArea(c: {
  boundary: unknown;
  centerLatitude: number;
  centerLongitude: number;
  mapTiles: MapTiles | null;
}): MapArea {
  return { boundary: c.boundary, center: { lat: c.centerLatitude, lon: c.centerLongitude }, tiles: c.mapTiles };
}

export interface MapPoint {
  lat: number;
  lon: number;
  label: string;
  color?: string;
  href?: string;
}

type Ring = [number, number][]; // [lon, lat] as in GeoJSON

/** Every ring (outer and holes) of a GeoJSON value's polygons. */
export function rings(geo: any): Ring[] {
  if (!geo || typeof geo !== 'object') return [];
  switch (geo.type) {
    case 'FeatureCollection':
      return (geo.features ?? []).flatMap((f: any) => rings(f));
    case 'Feature':
      return rings(geo.geometry);
    case 'GeometryCollection':
      return (geo.geometries ?? []).flatMap((g: any) => rings(g));
    case 'Polygon':
      return geo.coordinates as Ring[];
    case 'MultiPolygon':
      return (geo.coordinates as Ring[][]).flat();
    default:
      return [];
  }
}

/** Whether a point lies inside a GeoJSON polygon (even-odd over all rings, so
 * holes count). ``null`` when the value holds no polygon. */
export function insideGeo(geo: unknown, lat: number, lon: number): boolean | null {
  const all = rings(geo);
  if (!all.length) return null;
  let inside = false;
  for (const ring of all) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** The area-weighted centroid of a GeoJSON polygon (holes subtract); when that
 * falls outside (a crescent), the middle of the widest chord through it. */
export function centroid(geo: unknown): { lat: number; lon: number } | null {
  const all = rings(geo);
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (const ring of all) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [x0, y0] = ring[j];
      const [x1, y1] = ring[i];
      const cross = x0 * y1 - x1 * y0;
      a += cross;
      cx += (x0 + x1) * cross;
      cy += (y0 + y1) * cross;
    }
  }
  if (!all.length || Math.abs(a) < 1e-15) return null;
  const point = { lon: cx / (3 * a), lat: cy / (3 * a) };
  if (insideGeo(geo, point.lat, point.lon)) return point;
  // Crossings of the horizontal line through the centroid, the widest inside span.
  const xs: number[] = [];
  for (const ring of all) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > point.lat !== yj > point.lat) xs.push(((xj - xi) * (point.lat - yi)) / (yj - yi) + xi);
    }
  }
  xs.sort((p, q) => p - q);
  let best: [number, number] | null = null;
  for (let i = 0; i + 1 < xs.length; i += 2) if (!best || xs[i + 1] - xs[i] > best[1] - best[0]) best = [xs[i], xs[i + 1]];
  return best ? { lat: point.lat, lon: (best[0] + best[1]) / 2 } : point;
}

function bounds(geo: unknown): L.LatLngBounds | null {
  const coords = rings(geo).flat();
  if (!coords.length) return null;
  return L.latLngBounds(coords.map(([lon, lat]) => L.latLng(lat, lon)));
}

function pinIcon(): L.DivIcon {
  const svg = s(
    'svg',
    { viewBox: '-20 -48 40 50', width: 36, height: 45, 'aria-hidden': 'true', focusable: 'false' },
    s('path', { d: 'M0,0 C-14,-22 -18,-30 -18,-38 A18,18 0 1 1 18,-38 C18,-30 14,-22 0,0Z' }),
    s('circle', { cx: 0, cy: -38, r: 7, class: 'map-pin-hole' }),
  );
  return L.divIcon({ html: svg, className: 'map-pin', iconSize: [36, 45], iconAnchor: [18, 43] });
}

function pointIcon(color?: string): L.DivIcon {
  const dot = h('span', { class: 'map-point' });
  if (color) dot.style.background = color;
  return L.divIcon({ html: dot, className: 'map-point-icon', iconSize: [18, 18], iconAnchor: [9, 9] });
}

function clusterIcon(cluster: L.MarkerCluster): L.DivIcon {
  const n = cluster.getChildCount();
  const size = n < 10 ? 34 : n < 100 ? 40 : 48;
  return L.divIcon({ html: h('span', null, String(n)), className: 'map-cluster', iconSize: [size, size] });
}

export interface MapOptions {
  /** What clicking a point with an href does (default: the app's router). */
  onOpen?: (href: string) => void;
  /** Points are decoration, not in the tab order (the report form). */
  quietPoints?: boolean;
  /** The id of the text that explains how to use the map (aria-describedby). */
  hintId?: string;
}

export class CityMap {
  readonly el: HTMLElement;
  readonly map: L.Map;
  private cluster: L.MarkerClusterGroup;
  private marker: L.Marker | null = null;
  private cityBounds: L.LatLngBounds;
  private sized = false;
  private pendingView: (() => void) | null = null;
  private label: string;
  pin: { lat: number; lon: number } | null = null;

  constructor(
    private area: MapArea,
    label: string,
    private onPinMove?: (lat: number, lon: number) => void,
    private options: MapOptions = {},
  ) {
    this.label = label;
    const { boundary, center, tiles } = area;
    this.cityBounds = bounds(boundary) ?? L.latLngBounds([center.lat - 0.05, center.lon - 0.05], [center.lat + 0.05, center.lon + 0.05]);
    const box = h('div', {
      class: 'citymap',
      role: 'application',
      'aria-roledescription': t('mapRole'),
      'aria-label': label,
    });
    this.el = h('div', { class: 'map-wrap' }, box);
    const maxZoom = Math.max(tiles?.maxZoom ?? 0, 19);
    this.map = L.map(box, {
      attributionControl: false,
      keyboard: true,
      zoomSnap: 0.5,
      maxZoom,
      minZoom: 8,
      maxBounds: this.cityBounds.pad(1),
      maxBoundsViscosity: 0.8,
      renderer: L.svg({ padding: 0.5 }),
    });
    box.setAttribute('tabindex', '0');
    if (options.hintId) box.setAttribute('aria-describedby', options.hintId);

    if (tiles) {
      box.classList.add('with-tiles');
      const layer = L.tileLayer(tiles.tileUrl, { maxNativeZoom: tiles.maxZoom, maxZoom, attribution: '' });
      layer.on('tileerror', (event: L.TileErrorEvent) => {
        event.tile.style.visibility = 'hidden';
        box.classList.add('tiles-failing');
      });
      layer.on('tileload', () => box.classList.remove('tiles-failing'));
      layer.addTo(this.map);
      // The credit line as text (Leaflet's own control writes HTML).
      const credit = new L.Control({ position: 'bottomright' });
      credit.onAdd = () => h('p', { class: 'map-attribution leaflet-control' }, tiles.attribution);
      credit.addTo(this.map);
    }
    if (rings(boundary).length) {
      L.geoJSON(boundary as any, { interactive: false, style: { className: 'map-boundary' } }).addTo(this.map);
    }
    L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(this.map);
    this.cluster = L.markerClusterGroup({
      iconCreateFunction: clusterIcon,
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      spiderfyOnMaxZoom: true,
    });
    this.cluster.addTo(this.map);

    if (onPinMove) {
      box.classList.add('pickable');
      this.map.on('click', (event: L.LeafletMouseEvent) => this.setPin(event.latlng.lat, event.latlng.lng, true));
      box.addEventListener('keydown', (event) => {
        if (event.target !== box || (event.key !== 'Enter' && event.key !== ' ')) return;
        event.preventDefault();
        const c = this.map.getCenter();
        this.setPin(c.lat, c.lng, true);
      });
      box.append(h('span', { class: 'map-crosshair', 'aria-hidden': 'true' }));
    }

    // Leaflet measures its container: the view is set once it has a size
    // (the element is built before it is attached), and kept on resizes.
    this.pendingView = () => this.map.fitBounds(this.cityBounds, { padding: [8, 8] });
    const observer = new ResizeObserver(() => {
      if (!box.clientWidth || !box.clientHeight) return;
      this.map.invalidateSize({ animate: false }); // keeps the centre
      if (!this.sized) {
        this.sized = true;
        const view = this.pendingView;
        this.pendingView = null;
        view?.();
      }
    });
    observer.observe(box);
  }

  private view(fn: () => void): void {
    if (this.sized) fn();
    else this.pendingView = fn;
  }

  /** Whether a point is inside the city (true when the city has no boundary). */
  contains(lat: number, lon: number): boolean {
    return insideGeo(this.area.boundary, lat, lon) ?? true;
  }

  private areaLayer: L.GeoJSON | null = null;

  /** Outline one area (the one chosen or found) over the city; null: none. */
  highlight(boundary: unknown): void {
    this.areaLayer?.remove();
    this.areaLayer = rings(boundary).length
      ? L.geoJSON(boundary as any, { interactive: false, style: { className: 'map-area' } }).addTo(this.map)
      : null;
  }

  /** Move the view to a GeoJSON area (its bounds), or to a point. */
  showArea(boundary: unknown, fallback?: { lat: number; lon: number }): void {
    const b = bounds(boundary);
    if (b) this.view(() => this.map.fitBounds(b, { padding: [12, 12], maxZoom: 17 }));
    else if (fallback) this.view(() => this.map.setView([fallback.lat, fallback.lon], Math.max(this.map.getZoom() || 0, 14)));
  }

  /** Centre on a point, zoomed in to at least ``zoom``. */
  centerOn(lat: number, lon: number, zoom = 16): void {
    this.view(() => this.map.setView([lat, lon], Math.max(this.map.getZoom() || 0, zoom)));
  }

  setPoints(points: MapPoint[]): void {
    const { onOpen = navigate, quietPoints } = this.options;
    const markers = points.map((p) => {
      const marker = L.marker([p.lat, p.lon], {
        icon: pointIcon(p.color),
        title: p.label,
        alt: p.label,
        keyboard: !quietPoints && Boolean(p.href),
        interactive: !quietPoints,
      });
      if (p.href && !quietPoints) marker.on('click', () => onOpen(p.href!));
      return marker;
    });
    this.cluster.clearLayers();
    this.cluster.addLayers(markers);
    this.map.getContainer().setAttribute('aria-label', `${this.label} · ${t('points', { n: points.length })}`);
  }

  setPin(lat: number, lon: number, notify = false, focus = false): void {
    this.pin = { lat, lon };
    if (!this.marker) {
      this.marker = L.marker([lat, lon], {
        icon: pinIcon(),
        draggable: Boolean(this.onPinMove),
        keyboard: Boolean(this.onPinMove),
        title: t('pin'),
        alt: t('pin'),
        zIndexOffset: 1000,
        autoPan: true,
      });
      this.marker.on('drag', () => {
        const p = this.marker!.getLatLng();
        this.pin = { lat: p.lat, lon: p.lng };
      });
      this.marker.on('dragend', () => {
        const p = this.marker!.getLatLng();
        this.pin = { lat: p.lat, lon: p.lng };
        this.describePin();
        this.onPinMove?.(p.lat, p.lng);
      });
      this.marker.on('add', () => {
        const el = this.marker!.getElement();
        if (!el || !this.onPinMove) return;
        el.setAttribute('role', 'button');
        if (this.options.hintId) el.setAttribute('aria-describedby', this.options.hintId);
        el.addEventListener('keydown', (event) => this.onKey(event));
        this.describePin();
      });
      this.marker.addTo(this.map);
    } else this.marker.setLatLng([lat, lon]);
    this.describePin();
    if (focus) this.centerOn(lat, lon);
    if (notify) this.onPinMove?.(lat, lon);
  }

  private describePin(): void {
    const el = this.marker?.getElement();
    if (el && this.pin) el.setAttribute('aria-label', `${t('pin')}: ${this.pin.lat.toFixed(5)}, ${this.pin.lon.toFixed(5)}`);
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.pin || !this.marker) return;
    const step = event.shiftKey ? 40 : 4; // screen pixels: finer as one zooms in
    const moves: Record<string, [number, number]> = {
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    event.stopPropagation();
    const at = this.map.latLngToContainerPoint(this.marker.getLatLng()).add(move);
    const p = this.map.containerPointToLatLng(at);
    this.setPin(p.lat, p.lng, true);
  }
}
