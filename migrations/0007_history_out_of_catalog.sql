-- Deliveries still pending move with their events: undispatched again, the
-- sweep hands them on to the history database, which fans them out afresh.
UPDATE `webhook_events` SET `dispatched_at` = NULL, `requeued_at` = NULL WHERE `id` IN (SELECT `event_id` FROM `webhook_deliveries` WHERE `status` = 'pending');--> statement-breakpoint
DROP TABLE `webhook_attempts`;--> statement-breakpoint
DROP TABLE `webhook_deliveries`;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `previous` text;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `request_id` text;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `idempotency_key` text;--> statement-breakpoint
CREATE INDEX `webhook_events_tenant_id_idx` ON `webhook_events` (`org_id`,`mode`,`id`);