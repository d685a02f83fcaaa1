import type { MapTiles } from './map';

export interface Colors {
  primary: string;
  secondary: string;
  accent: string | null;
  textOnPrimary: string;
}

export interface AppConfig {
  citySlug: string;
  cityName: string;
  officialName: string;
  appName: string;
  timeZone: string;
  timeZoneAbbreviation: string;
  locales: string[];
  defaultLocale: string;
  channels: string[];
  priorities: string[];
  centerLatitude: number;
  centerLongitude: number;
  boundary: unknown;
  mapTiles: MapTiles | null;
  branding: {
    appName: string;
    responderAppName: string | null;
    tagline: string | null;
    logoUrl: string;
    colors: Colors;
    support: {
      phone: string | null;
      whatsapp: string | null;
      email: string | null;
      website: string | null;
      address: string | null;
      emergency: { name: string; number: string }[];
    };
  };
  verification: {
    photoRequired: boolean;
    maxPhotoAgeMinutes: number;
    maxGpsDistanceM: number;
    requireInsideCity: boolean;
    operatorTriage: string;
    fieldSurvey: string;
    anonymousReports: boolean;
  };
  features: {
    anonymousReports: boolean;
    publicFeed: boolean;
    citizenRating: boolean;
    publishedRankings: boolean;
  };
}

const KEY = 'kanal.';

function stored(name: string): string | null {
  try {
    return localStorage.getItem(KEY + name);
  } catch {
    return null;
  }
}

function store(name: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(KEY + name);
    else localStorage.setItem(KEY + name, value);
  } catch {
    /* private mode: keep in memory only */
  }
}

/** App-wide state. Tokens are per host (localStorage is per origin = per city). */
export const state = {
  config: null as AppConfig | null,
  lang: stored('lang') ?? 'id',
  citizenToken: stored('citizen'),
  citizenPhone: stored('phone'),
  staffToken: stored('staff'),
  staffName: stored('staffName'),
  setLang(lang: string) {
    this.lang = lang;
    store('lang', lang);
  },
  setCitizen(token: string | null, phone: string | null = null) {
    this.citizenToken = token;
    this.citizenPhone = phone;
    store('citizen', token);
    store('phone', phone);
  },
  setStaff(token: string | null, name: string | null = null) {
    this.staffToken = token;
    this.staffName = name;
    store('staff', token);
    store('staffName', name);
  },
  langChosen: stored('lang') !== null,
};

export function config(): AppConfig {
  if (!state.config) throw new Error('config not loaded');
  return state.config;
}
