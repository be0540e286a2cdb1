/** A webhook endpoint as versions present it (never its secret). */
export type WebhookRecord = {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  isActive: boolean;
  apiVersion: string | null;
  createdAt: number;
};

/** The outcome of one `POST /webhooks/{id}/test`. */
export type WebhookDeliveryRecord = { deliveryId: string; success: boolean; deliveredAt: number };
