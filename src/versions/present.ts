import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";
import { VERSIONS } from "./index";
import type { Page, Results, ShapeName } from "./types";

/** What an operation answers: one object, or a page of a list, of a shape. */
export type Answer = { one: ShapeName } | { list: ShapeName };

export type ResultFor<A extends Answer> = A extends { list: infer K extends ShapeName }
  ? Page<Results[K]>
  : A extends { one: infer K extends ShapeName }
    ? Results[K]
    : never;

/** The body of `result` in the request's API version. */
export function bodyOf<A extends Answer>(c: Context<AppEnv>, answer: A, result: ResultFor<A>) {
  // c.get, not c.var: Hono builds a fresh object of every variable on each `c.var`.
  const version = VERSIONS[c.get("version")];
  const ctx = { livemode: c.get("auth").livemode };
  if ("list" in answer) {
    const page = result as Page<unknown>;
    const present = version.shapes[answer.list].present as (
      item: unknown,
      x: typeof ctx,
    ) => unknown;
    return version.list.body({
      data: page.items.map((item) => present(item, ctx)),
      hasMore: page.hasMore,
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    });
  }
  const present = version.shapes[answer.one].present as (item: unknown, x: typeof ctx) => unknown;
  return version.one.body(present(result, ctx));
}

export function respond<A extends Answer>(
  c: Context<AppEnv>,
  answer: A,
  result: ResultFor<A>,
  status: ContentfulStatusCode,
) {
  return c.json(bodyOf(c, answer, result), status);
}
