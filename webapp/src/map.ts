// The city's map: its boundary (appConfig.boundary, GeoJSON) and points drawn as
// SVG with a small local projection (equirectangular scaled by cos(latitude),
// fine at city scale). With appConfig.mapTiles (a city setting) raster tiles
// from the city's tile server lie underneath; without them, or when the tiles
// cannot be fetched, the boundary and points stand on a plain background: the
// map never needs the internet.
import { h, s } from './dom';
import { t } from './i18n';

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

type Ring = [number, number][];

function rings(geo: any): Ring[] {
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

const W = 1000;

export class CityMap {
  readonly el: HTMLElement;
  private svg: SVGSVGElement;
  private pointsLayer: SVGGElement;
  private pinEl: SVGGElement | null = null;
  private west: number;
  private north: number;
  private scale: number;
  private kx: number;
  private height: number;
  pin: { lat: number; lon: number } | null = null;

  constructor(
    area: MapArea,
    label: string,
    private onPinMove?: (lat: number, lon: number) => void,
  ) {
    const { boundary, center } = area;
    const all = rings(boundary);
    const coords = all.flat();
    if (!coords.length) {
      coords.push([center.lon - 0.05, center.lat - 0.05], [center.lon + 0.05, center.lat + 0.05]);
    }
    let west = Math.min(...coords.map((c) => c[0]));
    let east = Math.max(...coords.map((c) => c[0]));
    let south = Math.min(...coords.map((c) => c[1]));
    let north = Math.max(...coords.map((c) => c[1]));
    const padLon = (east - west) * 0.06;
    const padLat = (north - south) * 0.06;
    west -= padLon;
    east += padLon;
    south -= padLat;
    north += padLat;
    this.kx = Math.cos((((south + north) / 2) * Math.PI) / 180);
    this.west = west;
    this.north = north;
    this.scale = W / ((east - west) * this.kx);
    this.height = Math.max(200, Math.round((north - south) * this.scale));

    this.svg = s('svg', {
      viewBox: `0 0 ${W} ${this.height}`,
      role: 'img',
      'aria-label': label,
      class: 'citymap',
      preserveAspectRatio: 'xMidYMid meet',
    });
    const path = all
      .map((ring) => ring.map(([lon, lat], i) => `${i ? 'L' : 'M'}${this.x(lon).toFixed(1)},${this.y(lat).toFixed(1)}`).join('') + 'Z')
      .join('');
    this.svg.append(s('rect', { x: 0, y: 0, width: W, height: this.height, class: 'map-bg' }));
    if (area.tiles) {
      this.svg.append(this.tileLayer(area.tiles, east, south));
      this.svg.classList.add('with-tiles');
    }
    this.svg.append(
      s('path', { d: path, class: 'map-boundary', 'fill-rule': 'evenodd' }),
      this.scaleBar(),
    );
    this.pointsLayer = s('g', { class: 'map-points' });
    this.svg.append(this.pointsLayer);
    this.el = h('div', { class: 'map-wrap' }, this.svg);
    if (area.tiles) this.el.append(h('p', { class: 'map-attribution' }, area.tiles.attribution));
    if (onPinMove) this.enableDragging();
  }

  x(lon: number): number {
    return (lon - this.west) * this.kx * this.scale;
  }

  y(lat: number): number {
    return (this.north - lat) * this.scale;
  }

  private toLatLon(px: number, py: number): { lat: number; lon: number } {
    return { lon: this.west + px / (this.kx * this.scale), lat: this.north - py / this.scale };
  }

  /** XYZ (Web Mercator) tiles covering the map, at the zoom where the map's
   * width is about its pixel width; each tile's corners are placed exactly in
   * the map's projection. A tile that fails to load is dropped. */
  private tileLayer(tiles: MapTiles, east: number, south: number): SVGGElement {
    const layer = s('g', { class: 'map-tiles', 'aria-hidden': 'true' });
    const fit = Math.round(Math.log2((W * 360) / (256 * (east - this.west))));
    let zoom = Math.max(0, Math.min(tiles.maxZoom, fit));
    const tileX = (lon: number, n: number) => Math.floor(((lon + 180) / 360) * n);
    const tileY = (lat: number, n: number) => {
      const r = (lat * Math.PI) / 180;
      return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
    };
    let n = 2 ** zoom;
    // Never more than 64 tiles for one map.
    while (zoom > 0 && (tileX(east, n) - tileX(this.west, n) + 1) * (tileY(south, n) - tileY(this.north, n) + 1) > 64) {
      zoom -= 1;
      n = 2 ** zoom;
    }
    const lonOf = (x: number) => (x / n) * 360 - 180;
    const latOf = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
    for (let x = tileX(this.west, n); x <= tileX(east, n); x++) {
      for (let y = tileY(this.north, n); y <= tileY(south, n); y++) {
        const left = this.x(lonOf(x));
        const top = this.y(latOf(y));
        const href = tiles.tileUrl.replace('{z}', String(zoom)).replace('{x}', String(x)).replace('{y}', String(y));
        const image = s('image', {
          href,
          x: left.toFixed(2),
          y: top.toFixed(2),
          // A hair wider and taller than the tile: no seams between neighbours.
          width: (this.x(lonOf(x + 1)) - left + 0.5).toFixed(2),
          height: (this.y(latOf(y + 1)) - top + 0.5).toFixed(2),
          preserveAspectRatio: 'none',
        });
        image.addEventListener('error', () => image.remove());
        layer.append(image);
      }
    }
    return layer;
  }

  private scaleBar(): SVGGElement {
    // A 1 km bar (1 degree of latitude ≈ 111.32 km).
    const px = (1 / 111.32) * this.scale;
    const y = this.height - 20;
    return s(
      'g',
      { class: 'map-scale', 'aria-hidden': 'true' },
      s('line', { x1: 20, y1: y, x2: 20 + px, y2: y }),
      s('text', { x: 20, y: y - 8 }, '1 km'),
    );
  }

  setPoints(points: MapPoint[]): void {
    this.pointsLayer.replaceChildren();
    for (const p of points) {
      const dot = s(
        'circle',
        { cx: this.x(p.lon), cy: this.y(p.lat), r: 9, class: 'map-point', fill: p.color ?? null },
        s('title', null, p.label),
      );
      if (p.href) {
        const link = s('a', { href: p.href, 'data-link': '', 'aria-label': p.label }, dot);
        this.pointsLayer.append(link);
      } else this.pointsLayer.append(dot);
    }
    this.svg.setAttribute('aria-label', `${this.svg.getAttribute('aria-label')?.split(' · ')[0]} · ${t('points', { n: points.length })}`);
  }

  setPin(lat: number, lon: number, notify = false): void {
    this.pin = { lat, lon };
    if (!this.pinEl) {
      this.pinEl = s(
        'g',
        {
          class: 'map-pin',
          tabindex: this.onPinMove ? 0 : null,
          role: this.onPinMove ? 'slider' : null,
          'aria-label': t('pin'),
        },
        s('path', { d: 'M0,0 C-14,-22 -18,-30 -18,-38 A18,18 0 1 1 18,-38 C18,-30 14,-22 0,0Z' }),
        s('circle', { cx: 0, cy: -38, r: 7, class: 'map-pin-hole' }),
      );
      this.svg.append(this.pinEl);
      if (this.onPinMove) {
        this.pinEl.addEventListener('keydown', (event) => this.onKey(event as KeyboardEvent));
      }
    }
    this.pinEl.setAttribute('transform', `translate(${this.x(lon).toFixed(1)},${this.y(lat).toFixed(1)})`);
    this.pinEl.setAttribute('aria-valuetext', `${lat.toFixed(5)}, ${lon.toFixed(5)}`);
    if (notify) this.onPinMove?.(lat, lon);
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.pin) return;
    const step = event.shiftKey ? 0.002 : 0.0002; // ~220 m / ~22 m
    const moves: Record<string, [number, number]> = {
      ArrowUp: [step, 0],
      ArrowDown: [-step, 0],
      ArrowLeft: [0, -step],
      ArrowRight: [0, step],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    this.setPin(this.pin.lat + move[0], this.pin.lon + move[1], true);
  }

  private svgPoint(event: PointerEvent): { x: number; y: number } {
    const matrix = this.svg.getScreenCTM();
    if (!matrix) return { x: 0, y: 0 };
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  }

  private enableDragging(): void {
    let dragging = false;
    const place = (event: PointerEvent) => {
      const { x, y } = this.svgPoint(event);
      const { lat, lon } = this.toLatLon(x, y);
      this.setPin(lat, lon);
    };
    this.svg.addEventListener('pointerdown', (event) => {
      dragging = true;
      this.svg.setPointerCapture(event.pointerId);
      place(event);
      event.preventDefault();
    });
    this.svg.addEventListener('pointermove', (event) => {
      if (dragging) place(event);
    });
    const end = () => {
      if (!dragging) return;
      dragging = false;
      if (this.pin) this.onPinMove?.(this.pin.lat, this.pin.lon);
    };
    this.svg.addEventListener('pointerup', end);
    this.svg.addEventListener('pointercancel', end);
    this.svg.classList.add('draggable');
  }
}
