/** An API key as the listing knows it (never the key itself); versions present it. */
export type ApiKeyRecord = {
  id: string;
  name: string;
  prefix: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
};
