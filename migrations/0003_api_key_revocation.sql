ALTER TABLE `api_keys` ADD `revoked_at` integer;--> statement-breakpoint
CREATE INDEX `api_keys_revoked_idx` ON `api_keys` (`revoked_at`) WHERE "api_keys"."revoked_at" IS NOT NULL;