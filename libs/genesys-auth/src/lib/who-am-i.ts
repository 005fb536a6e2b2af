import type { GenesysTransport } from './transport';

/** `GET /api/v2/tokens/me` (TokenInfo), trimmed to what a credential check needs. */
export interface TokenInfo {
  organization?: { id: string; name?: string; selfUri?: string };
  homeOrganization?: { id: string; name?: string; thirdPartyOrgName?: string };
  authorizedScope?: string[];
  clonedUser?: { id: string };
  OAuthClient?: { id: string; name?: string; organization?: { id: string } };
  dateTokenIdles?: string;
  [key: string]: unknown;
}

/** Checks the credentials with a real call and says which org and OAuth client they belong to. */
export async function whoAmI(transport: GenesysTransport, signal?: AbortSignal): Promise<TokenInfo> {
  const response = await transport.get<TokenInfo>('/api/v2/tokens/me', { signal });
  return response.data;
}
