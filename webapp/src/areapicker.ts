// The area picker: kecamatan → kelurahan as a pair of native <select>s with a
// search box that filters both (case- and diacritics-insensitive). It is the
// way to say where without dragging anything (WCAG 2.2 §2.5.7): every part is a
// labelled native control, usable by keyboard and screen reader alike. Enter in
// the search box chooses the first match.
import { gql } from './api';
import { field, h, replace } from './dom';
import { t } from './i18n';
import { centroid, CityMap, insideGeo, mapArea } from './map';
import type { AppConfig } from './state';

export interface Area {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
  boundary?: unknown;
}

/** Lower case, no diacritics, single spaces: "Cakranegara" ~ "cakranégara ". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

function levelName(level: string, fallback: string): string {
  if (level === 'kecamatan') return t('kecamatan');
  if (level === 'kelurahan') return t('kelurahan');
  if (level === 'desa') return t('desa');
  return fallback;
}

/** The label of the lower list: a kabupaten has desa and a few kelurahan. */
function subLevelName(levels: Set<string>): string {
  if (levels.has('desa') && levels.has('kelurahan')) return t('kelurahanDesa');
  const [only] = [...levels];
  return levelName(only ?? 'kelurahan', only ?? 'kelurahan');
}

/** An option's text: the name, with its level where a sibling has the same name
 * (Distrik Heram has both Kelurahan Waena and Kampung Waena). */
function optionLabel(area: Area, siblings: Area[]): string {
  const twin = siblings.some((s) => s !== area && fold(s.name) === fold(area.name));
  return twin ? `${area.name} (${levelName(area.level, area.level)})` : area.name;
}

export class AreaPicker {
  readonly el: HTMLElement;
  private byCode = new Map<string, Area>();
  private tops: Area[];
  private children = new Map<string, Area[]>();
  private search: HTMLInputElement;
  private top: HTMLSelectElement;
  private sub: HTMLSelectElement;
  private count: HTMLElement;
  private shown: HTMLElement;

  constructor(
    areas: Area[],
    private onChoose: (area: Area | null) => void,
  ) {
    const sorted = [...areas].sort((a, b) => a.name.localeCompare(b.name, 'id'));
    for (const a of sorted) this.byCode.set(a.code, a);
    this.tops = sorted.filter((a) => !a.parentCode || !this.byCode.has(a.parentCode));
    for (const a of sorted) {
      if (a.parentCode && this.byCode.has(a.parentCode)) {
        const list = this.children.get(a.parentCode) ?? [];
        list.push(a);
        this.children.set(a.parentCode, list);
      }
    }
    const topLevel = this.tops[0]?.level ?? 'kecamatan';
    const subLevels = new Set([...this.children.values()].flat().map((a) => a.level));
    this.search = h('input', {
      type: 'search',
      id: 'area-search',
      name: 'area-search',
      autocomplete: 'off',
      enterkeyhint: 'search',
      'aria-controls': 'area-top area-sub',
    });
    this.top = h('select', { id: 'area-top', name: 'area-top' });
    this.sub = h('select', { id: 'area-sub', name: 'area-sub' });
    this.count = h('p', { class: 'hint', id: 'area-count', 'aria-live': 'polite' });
    this.shown = h('p', { class: 'area-shown', id: 'area-shown', 'aria-live': 'polite' });

    this.search.addEventListener('input', () => this.fill());
    this.search.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault(); // not the report form's submit
      const first = this.matches()[0];
      if (!first) return;
      this.search.value = ''; // chosen: the lists show everything again, the choice selected
      this.choose(first);
    });
    this.top.addEventListener('change', () => {
      this.fillSub();
      this.choose(this.byCode.get(this.top.value) ?? null, false);
    });
    this.sub.addEventListener('change', () => {
      const area = this.byCode.get(this.sub.value) ?? this.byCode.get(this.top.value) ?? null;
      if (area?.parentCode && this.top.value !== area.parentCode) {
        this.top.value = area.parentCode;
      }
      this.choose(area, false);
    });

    this.el = h(
      'fieldset',
      { class: 'area-picker', id: 'area-picker' },
      h('legend', null, t('areaLegend')),
      h('p', { class: 'hint', id: 'area-hint' }, t('areaHint')),
      field(t('areaSearch'), this.search),
      this.count,
      h(
        'div',
        { class: 'area-selects' },
        field(levelName(topLevel, topLevel), this.top),
        this.children.size ? field(subLevelName(subLevels), this.sub) : null,
      ),
      this.shown,
    );
    this.search.setAttribute('aria-describedby', 'area-hint area-count');
    this.fill();
  }

  get hasAreas(): boolean {
    return this.byCode.size > 0;
  }

  /** The most specific area chosen (kelurahan, else kecamatan), or null. */
  get value(): Area | null {
    return this.byCode.get(this.sub.value) ?? this.byCode.get(this.top.value) ?? null;
  }

  area(code: string | null | undefined): Area | null {
    return (code && this.byCode.get(code)) || null;
  }

  /** Show an area found from the map (no onChoose); null clears the choice. */
  show(code: string | null, note?: string): void {
    const area = this.area(code);
    this.search.value = '';
    this.setSelects(area);
    this.describe(area, note);
  }

  /** "Ampenan Tengah, Ampenan". */
  fullName(area: Area): string {
    const parent = this.area(area.parentCode);
    return parent ? `${area.name}, ${parent.name}` : area.name;
  }

  private describe(area: Area | null, note?: string): void {
    this.shown.textContent = area ? t('areaShown', { name: this.fullName(area) }) : (note ?? '');
    this.shown.dataset.code = area?.code ?? '';
  }

  private choose(area: Area | null, updateSelects = true): void {
    if (updateSelects) this.setSelects(area);
    this.describe(area);
    this.onChoose(area);
  }

  private setSelects(area: Area | null): void {
    const top = area ? (this.children.has(area.code) || !area.parentCode ? area : this.area(area.parentCode)) : null;
    this.fill();
    if (top && !this.top.querySelector(`option[value="${CSS.escape(top.code)}"]`)) {
      // Outside the current filter: clear the filter so the choice is visible.
      this.search.value = '';
      this.fill();
    }
    this.top.value = top?.code ?? '';
    this.fillSub();
    this.sub.value = area && area !== top ? area.code : '';
  }

  private query(): string {
    return fold(this.search.value);
  }

  /** The sub-areas (then the top areas) matching the search, in order. */
  private matches(): Area[] {
    const q = this.query();
    if (!q) return [];
    const subs = [...this.byCode.values()].filter((a) => a.parentCode && this.byCode.has(a.parentCode) && fold(a.name).includes(q));
    const tops = this.tops.filter((a) => fold(a.name).includes(q));
    // An exact name first ("Ampenan" the kecamatan before "Ampenan Tengah").
    return [...tops.filter((a) => fold(a.name) === q), ...subs, ...tops.filter((a) => fold(a.name) !== q)];
  }

  private visibleTops(): Area[] {
    const q = this.query();
    if (!q) return this.tops;
    return this.tops.filter((a) => fold(a.name).includes(q) || (this.children.get(a.code) ?? []).some((c) => fold(c.name).includes(q)));
  }

  private fill(): void {
    const keep = this.top.value;
    const tops = this.visibleTops();
    replace(
      this.top,
      h('option', { value: '' }, t('areaChooseTop')),
      tops.map((a) => h('option', { value: a.code }, a.name)),
    );
    if (tops.some((a) => a.code === keep)) this.top.value = keep;
    this.fillSub();
    const q = this.query();
    this.count.textContent = q ? (this.matches().length ? t('areaMatches', { n: this.matches().length }) : t('areaNoMatch')) : '';
  }

  private fillSub(): void {
    const keep = this.sub.value;
    const q = this.query();
    const parent = this.area(this.top.value);
    let groups: [Area, Area[]][];
    if (parent) {
      const all = this.children.get(parent.code) ?? [];
      const own = !q || fold(parent.name).includes(q);
      groups = [[parent, own ? all : all.filter((c) => fold(c.name).includes(q))]];
    } else {
      groups = this.visibleTops().map((top) => {
        const all = this.children.get(top.code) ?? [];
        return [top, !q || fold(top.name).includes(q) ? all : all.filter((c) => fold(c.name).includes(q))];
      });
    }
    replace(
      this.sub,
      h('option', { value: '' }, t('areaChooseSub')),
      parent
        ? groups[0][1].map((a) => h('option', { value: a.code }, optionLabel(a, groups[0][1])))
        : groups.filter(([, list]) => list.length).map(([top, list]) => h('optgroup', { label: top.name }, list.map((a) => h('option', { value: a.code }, optionLabel(a, list))))),
    );
    if (keep && this.sub.querySelector(`option[value="${CSS.escape(keep)}"]`)) this.sub.value = keep;
  }
}

/** Reports that are still open (for the map while placing the pin). */
const DONE = new Set(['resolved', 'closed', 'rejected', 'merged']);

/** The report form's location: the map with its pin, "use my location", the
 * area picker (the non-dragging way), the outside-the-city warning. The form
 * reads point, areaCode, accuracy and problems() when it sends. */
export class ReportLocation {
  readonly map: CityMap;
  readonly el: HTMLElement;
  accuracy: number | null = null;
  private picker: AreaPicker | null = null;
  private placed = false; // by a tap, a drag, the keyboard or the device; not the city-centre fallback
  private status: HTMLElement;
  private outside: HTMLElement;
  private outsideOk: HTMLInputElement;
  private pickerSlot: HTMLElement;
  private locateTimer = 0;
  private locateSeq = 0;

  constructor(
    private c: AppConfig,
    extra: HTMLElement[],
    private onChange: () => void,
  ) {
    this.status = h('p', { class: 'hint', 'aria-live': 'polite', id: 'location-status' });
    this.outsideOk = h('input', { type: 'checkbox', id: 'outside-confirm', name: 'outside-confirm' });
    this.outside = h('div', { id: 'outside-warning', hidden: true });
    this.pickerSlot = h('div', { class: 'area-slot' });
    this.map = new CityMap(mapArea(c), t('mapLabel', { city: c.cityName }), () => this.pinMoved(), { quietPoints: true, hintId: 'map-hint' });
    this.el = h(
      'fieldset',
      { class: 'location' },
      h('legend', null, t('location')),
      h('p', { class: 'hint', id: 'map-hint' }, t('mapHintZoom')),
      this.map.el,
      this.status,
      this.outside,
      h('button', { type: 'button', class: 'secondary', id: 'use-my-location', onclick: () => this.locate() }, t('useMyLocation')),
      this.pickerSlot,
      extra,
    );
    void this.loadAreas();
    void this.loadOpenReports();
  }

  get point(): { lat: number; lon: number } | null {
    return this.map.pin;
  }

  get areaCode(): string | null {
    return this.picker?.value?.code ?? null;
  }

  /** What stops sending: a point outside the city not yet confirmed. */
  problems(): string[] {
    const p = this.map.pin;
    if (p && !this.map.contains(p.lat, p.lon) && !this.outsideOk.checked) return [t('outsideCity', { city: this.c.cityName })];
    return [];
  }

  locate(): void {
    const fallback = () => {
      this.status.textContent = t('locationFailed');
      this.status.dataset.state = 'failed';
      if (!this.map.pin) this.map.setPin(this.c.centerLatitude, this.c.centerLongitude);
    };
    if (!('geolocation' in navigator)) return fallback();
    this.status.textContent = t('locating');
    navigator.geolocation.getCurrentPosition(
      (position) => {
        this.map.setPin(position.coords.latitude, position.coords.longitude, false, true);
        this.pinMoved();
        this.accuracy = position.coords.accuracy;
        this.status.textContent = t('locationFound', { m: Math.round(position.coords.accuracy) });
        this.status.dataset.state = 'found';
      },
      fallback,
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
    );
  }

  private pinMoved(): void {
    this.placed = true;
    this.accuracy = null;
    this.checkOutside();
    clearTimeout(this.locateTimer);
    this.locateTimer = window.setTimeout(() => void this.locateArea(), 300);
    this.onChange();
  }

  private checkOutside(): void {
    const p = this.map.pin;
    const out = Boolean(p && !this.map.contains(p.lat, p.lon));
    if (out && this.outside.hidden) {
      this.outsideOk.checked = false;
      replace(
        this.outside,
        h(
          'div',
          { class: 'alert warn', role: 'alert' },
          h('p', null, t('outsideCity', { city: this.c.cityName })),
          h('div', { class: 'check-field' }, this.outsideOk, h('label', { for: 'outside-confirm' }, t('outsideConfirm'))),
        ),
      );
    }
    this.outside.hidden = !out;
  }

  private async locateArea(): Promise<void> {
    const p = this.map.pin;
    if (!p || !this.picker?.hasAreas) return;
    const seq = ++this.locateSeq;
    try {
      const data = await gql<{ locateArea: Area | null }>('LocateArea', { latitude: p.lat, longitude: p.lon });
      if (seq !== this.locateSeq) return; // the pin moved again meanwhile
      this.picker.show(data.locateArea?.code ?? null, t('areaUnknown'));
      this.map.highlight(this.picker.area(data.locateArea?.code)?.boundary);
    } catch {
      /* no answer: the picker keeps what it shows; the server locates it again */
    }
  }

  private async loadAreas(): Promise<void> {
    let areas: Area[];
    try {
      areas = (await gql<{ areas: Area[] }>('Areas', {})).areas;
    } catch {
      return; // offline or refused: the map alone still works
    }
    if (!areas.length) return;
    this.picker = new AreaPicker(areas, (area) => this.chosen(area));
    this.pickerSlot.replaceChildren(this.picker.el);
    if (this.placed) void this.locateArea();
  }

  /** An area chosen in the picker: show it on the map; without a pin of the
   * citizen's own (or with one outside it), the point goes to its middle. */
  private chosen(area: Area | null): void {
    if (!area) return this.map.highlight(null);
    this.locateSeq++; // a late locateArea answer must not undo the choice
    const middle = centroid(area.boundary);
    this.map.highlight(area.boundary);
    this.map.showArea(area.boundary, middle ?? { lat: this.c.centerLatitude, lon: this.c.centerLongitude });
    const p = this.map.pin;
    const pinElsewhere = p && middle && insideGeo(area.boundary, p.lat, p.lon) === false;
    if (!this.placed || pinElsewhere) {
      const at = middle ?? { lat: this.c.centerLatitude, lon: this.c.centerLongitude };
      this.map.setPin(at.lat, at.lon);
      this.placed = false; // still the area's middle, not a place the citizen pointed at
      this.accuracy = null;
      this.checkOutside();
      // Without the area's polygon the pin is only the city's middle: say so.
      this.status.textContent = t(middle ? 'pinAtArea' : 'pinAreaUnmapped', { name: this.picker!.fullName(area) });
      this.status.dataset.state = 'area';
      this.onChange();
    }
  }

  private async loadOpenReports(): Promise<void> {
    try {
      const data = await gql('PublicFeed', { first: 100 });
      const nodes = (data.reports.edges as { node: { trackingCode: string; status: string; statusLabel: string; latitude: number; longitude: number; category: { name: string } } }[])
        .map((e) => e.node)
        .filter((r) => !DONE.has(r.status));
      this.map.setPoints(nodes.map((r) => ({ lat: r.latitude, lon: r.longitude, label: `${r.trackingCode} · ${r.category.name} · ${r.statusLabel}` })));
    } catch {
      /* the map works without them */
    }
  }
}
