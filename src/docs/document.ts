import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";

/** An OpenAPI 3.1 document as @hono/zod-openapi generates it. */
export type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;
