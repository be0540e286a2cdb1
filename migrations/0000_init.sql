CREATE TABLE `plan_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`mode` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`is_public` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `plan_groups_tenant_id_idx` ON `plan_groups` (`org_id`,`mode`,`id`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`mode` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`consumption_model` text,
	`is_public` integer NOT NULL,
	`is_free` integer NOT NULL,
	`block_on_exhaustion` integer,
	`metadata` text,
	`plan_group_id` text,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`plan_group_id`) REFERENCES `plan_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plans_live_code_uq` ON `plans` (`org_id`,`mode`,`code`) WHERE "plans"."deleted_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `plans_group_position_uq` ON `plans` (`plan_group_id`,`sort_order`) WHERE "plans"."plan_group_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `plans_tenant_id_idx` ON `plans` (`org_id`,`mode`,`id`);--> statement-breakpoint
CREATE INDEX `plans_parked_idx` ON `plans` (`sort_order`) WHERE "plans"."sort_order" < 0;