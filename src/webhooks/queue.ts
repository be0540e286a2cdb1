/** A queue message: one recorded event to fan out, or one delivery to attempt again. */
export type DeliveryMessage =
  | { kind: "event"; eventId: string }
  | { kind: "delivery"; deliveryId: string };
