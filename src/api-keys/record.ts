/** An API key as the listing knows it (never the key itself); versions present it. */
export type ApiKeyRecord = {
  id: string;
  name: string;
  prefix: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  /** The key that made it over the API; null: the operator (the CLI), or a key from before lineage. */
  createdBy: string | null;
};
