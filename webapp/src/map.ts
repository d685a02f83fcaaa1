// An offline map: the city's boundary (appConfig.boundary, GeoJSON) and points
// drawn as SVG with a small local projection (equirectangular scaled by
// cos(latitude), fine at city scale). No tile server, no downloads.
import { h, s } from './dom';
import { t } from './i18n';

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
    boundary: unknown,
    center: { lat: number; lon: number },
    label: string,
    private onPinMove?: (lat: number, lon: number) => void,
  ) {
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
    this.svg.append(
      s('rect', { x: 0, y: 0, width: W, height: this.height, class: 'map-bg' }),
      s('path', { d: path, class: 'map-boundary', 'fill-rule': 'evenodd' }),
      this.scaleBar(),
    );
    this.pointsLayer = s('g', { class: 'map-points' });
    this.svg.append(this.pointsLayer);
    this.el = h('div', { class: 'map-wrap' }, this.svg);
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
