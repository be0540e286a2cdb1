import { z } from "@hono/zod-openapi";
import { Name, PathId } from "../lib/fields";

export const KeyIdParam = z.object({
  id: PathId("The key's ID (`key_...`), never the key itself.", "key_01j2x3y4z5a6b7c8d9e0f1g2h3"),
});

export const CreateKeyBody = z
  .strictObject({
    name: Name.openapi({ description: "1-120 characters after trimming.", example: "production" }),
    expiresInDays: z
      .number()
      .int("must be an integer")
      .min(1, "must be at least 1")
      .max(3650, "must be at most 3650")
      .optional()
      .openapi({
        description:
          "Days until the key stops working (default 365, cut to the expiry of the key that creates it). A number of days that would pass the creating key's expiry is refused (400, naming the latest allowed).",
        example: 90,
      }),
  })
  .openapi({ example: { name: "production", expiresInDays: 365 } });
