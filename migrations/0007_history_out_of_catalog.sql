ALTER TABLE `webhook_events` ADD `previous` text;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `request_id` text;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `idempotency_key` text;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `fanned_out_at` integer;--> statement-breakpoint
CREATE INDEX `webhook_events_tenant_id_idx` ON `webhook_events` (`org_id`,`mode`,`id`);--> statement-breakpoint
-- Every event of the outbox is handed on to the history database afresh
-- (the sweep sends them): those fanned out already keep that time and get
-- no new delivery; those with a delivery still pending are fanned out again
-- there (at least once: an endpoint that had them may get them again).
UPDATE `webhook_events` SET `fanned_out_at` = `dispatched_at` WHERE `dispatched_at` IS NOT NULL AND `id` NOT IN (SELECT `event_id` FROM `webhook_deliveries` WHERE `status` = 'pending');--> statement-breakpoint
UPDATE `webhook_events` SET `dispatched_at` = NULL, `requeued_at` = NULL;--> statement-breakpoint
DROP TABLE `webhook_attempts`;--> statement-breakpoint
DROP TABLE `webhook_deliveries`;
