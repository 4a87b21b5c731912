import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// The chain's two databases: inventory's product listing and notifications' mail sink.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await applyD1Migrations(env.MAIL_DB, env.TEST_MAIL_MIGRATIONS);
