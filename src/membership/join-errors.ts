import { ApiError } from "../errors";

/** Why a plan could not join a group. */
export type JoinFailure = "group_missing" | "plan_missing" | "in_group" | "full";

/**
 * The errors of putting a plan into a group, shared by "add plan to group"
 * and "create plan" with `planGroupId`; `groupParam` names where the group came from.
 */
export function addFailure(error: JoinFailure, groupParam: "id" | "planGroupId"): ApiError {
  switch (error) {
    case "group_missing":
      return new ApiError("plan_group_not_found", { param: groupParam });
    case "plan_missing":
      return new ApiError("plan_not_found", { param: "planId" });
    case "in_group":
      return new ApiError("duplicate", {
        param: "planId",
        message: "This plan is already in a plan group. Remove it from that group first.",
      });
    case "full":
      return new ApiError("limit_exceeded", { param: groupParam });
  }
}
