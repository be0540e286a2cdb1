CREATE TABLE `service_state` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `api_keys` ADD `created_by` text;--> statement-breakpoint
CREATE INDEX `api_keys_created_by_idx` ON `api_keys` (`created_by`) WHERE "api_keys"."created_by" IS NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `sending_until` integer;--> statement-breakpoint
CREATE INDEX `webhook_deliveries_sending_idx` ON `webhook_deliveries` (`endpoint_id`,`sending_until`) WHERE "webhook_deliveries"."sending_until" IS NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `failed_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `requeued_at` integer;