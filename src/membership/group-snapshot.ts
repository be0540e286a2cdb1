import { type SQL, sql } from "drizzle-orm";
import { planGroups } from "../db/schema";
import { inTenant } from "../db/sql";
import { tenantParams } from "../db/statements";
import { membersJson } from "./membership";

/**
 * The group with its members as JSON, in the shape of PlanGroupRecord: what
 * events carry. `without`: a plan leaving the group in the same batch.
 */
export const groupSnapshot = (group: SQL, without?: SQL) => sql<string>`(
  SELECT json_object(
    'id', ${planGroups.id}, 'name', ${planGroups.name}, 'description', ${planGroups.description},
    'isPublic', json(CASE WHEN ${planGroups.isPublic} THEN 'true' ELSE 'false' END),
    'createdAt', ${planGroups.createdAt}, 'updatedAt', ${planGroups.updatedAt},
    'plans', json(${membersJson(sql`${planGroups.id}`, without)}))
  FROM ${planGroups} WHERE ${planGroups.id} = ${group} AND ${inTenant(planGroups, tenantParams)}
)`;
