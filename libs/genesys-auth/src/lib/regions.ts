import { GenesysConfigError } from './errors';

/**
 * Genesys Cloud regions and their domains, as in the official SDK's region host table
 * (v262). API calls go to `https://api.{domain}`, OAuth to `https://login.{domain}`.
 */
export const GENESYS_REGIONS = {
  'us-east-1': 'mypurecloud.com',
  'eu-west-1': 'mypurecloud.ie',
  'ap-southeast-2': 'mypurecloud.com.au',
  'ap-northeast-1': 'mypurecloud.jp',
  'eu-central-1': 'mypurecloud.de',
  'us-west-2': 'usw2.pure.cloud',
  'ca-central-1': 'cac1.pure.cloud',
  'ap-northeast-2': 'apne2.pure.cloud',
  'eu-west-2': 'euw2.pure.cloud',
  'ap-south-1': 'aps1.pure.cloud',
  'us-east-2': 'use2.us-gov-pure.cloud',
  'sa-east-1': 'sae1.pure.cloud',
  'me-central-1': 'mec1.pure.cloud',
  'ap-northeast-3': 'apne3.pure.cloud',
  'eu-central-2': 'euc2.pure.cloud',
  'mx-central-1': 'mxc1.pure.cloud',
  'ap-southeast-1': 'apse1.pure.cloud',
  'eusc-de-east-1': 'edee1.eusc-pure.cloud',
} as const;

export type GenesysRegionName = keyof typeof GENESYS_REGIONS;

export interface GenesysEnvironmentOptions {
  /** A region name (`eu-west-1`), its SDK spelling (`eu_west_1`) or a domain (`mypurecloud.ie`). */
  region?: string;
  /** Overrides the API host, e.g. a proxy or the local sandbox (`http://127.0.0.1:4010`). */
  apiBaseUrl?: string;
  /** Overrides the login host; defaults to the API override when only that one is given. */
  loginBaseUrl?: string;
}

export interface GenesysEnvironment {
  /** The region name when known (not for an unlisted domain or pure overrides). */
  region?: GenesysRegionName;
  domain?: string;
  apiBaseUrl: string;
  loginBaseUrl: string;
}

const DOMAIN_TO_REGION = new Map<string, GenesysRegionName>(
  Object.entries(GENESYS_REGIONS).map(([region, domain]) => [domain, region as GenesysRegionName]),
);

export function isGenesysRegion(value: string): value is GenesysRegionName {
  return Object.prototype.hasOwnProperty.call(GENESYS_REGIONS, value);
}

/** Finds the region for a name, SDK key or domain; undefined when it is none of them. */
export function findRegion(value: string): { region?: GenesysRegionName; domain: string } | undefined {
  const trimmed = value.trim().toLowerCase();
  const asName = trimmed.replace(/_/g, '-');
  if (isGenesysRegion(asName)) return { region: asName, domain: GENESYS_REGIONS[asName] };
  // `setEnvironment` in the SDK accepts hosts with a scheme and an `api.`/`login.` prefix
  const domain = trimmed
    .replace(/^[a-z]+:\/\//, '')
    .replace(/\/.*$/, '')
    .replace(/^(api|login)\./, '');
  const region = DOMAIN_TO_REGION.get(domain);
  if (region) return { region, domain };
  return undefined;
}

function normalizeBaseUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GenesysConfigError(
      `${name} must be an absolute http(s) URL such as https://api.mypurecloud.com, got "${value}"`,
      name,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new GenesysConfigError(`${name} must use http or https, got "${url.protocol}"`, name);
  }
  if (url.username || url.password) {
    throw new GenesysConfigError(`${name} must not carry credentials in the URL`, name);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * Resolves API and login base URLs. Explicit overrides win; otherwise the region (name or
 * domain) decides. An unknown region is an error that lists the valid names.
 */
export function resolveGenesysEnvironment(options: GenesysEnvironmentOptions): GenesysEnvironment {
  const apiOverride = options.apiBaseUrl ? normalizeBaseUrl('apiBaseUrl', options.apiBaseUrl) : undefined;
  const loginOverride = options.loginBaseUrl
    ? normalizeBaseUrl('loginBaseUrl', options.loginBaseUrl)
    : undefined;

  let found: { region?: GenesysRegionName; domain: string } | undefined;
  if (options.region !== undefined && options.region.trim() !== '') {
    found = findRegion(options.region);
    if (!found) {
      throw new GenesysConfigError(
        `Unknown Genesys Cloud region "${options.region}". Use one of: ${Object.keys(GENESYS_REGIONS).join(', ')} ` +
          `(or its domain, e.g. mypurecloud.ie), or set apiBaseUrl/loginBaseUrl explicitly.`,
        'region',
      );
    }
  }

  if (!found && !apiOverride) {
    throw new GenesysConfigError(
      `No Genesys Cloud region configured. Set a region (${Object.keys(GENESYS_REGIONS)
        .slice(0, 3)
        .join(', ')}, …) or apiBaseUrl.`,
      'region',
    );
  }

  // With only an API override (the sandbox, a gateway) login is served by the same origin.
  const apiBaseUrl = apiOverride ?? `https://api.${found?.domain}`;
  const loginBaseUrl = loginOverride ?? (found ? `https://login.${found.domain}` : apiBaseUrl);
  return { region: found?.region, domain: found?.domain, apiBaseUrl, loginBaseUrl };
}
