-- Personal data (the shipping address) goes only to subscriptions allowed to receive it.
ALTER TABLE webhook_subscriptions ADD COLUMN personal_data INTEGER NOT NULL DEFAULT 0;

-- Payloads are minimised when planned; scrub what earlier deploys stored: the payment token never
-- leaves the payments path, and subscriptions made before this migration have no personal data.
UPDATE webhook_deliveries SET payload = json_remove(payload, '$.data.data.payment', '$.data.data.shippingAddress');
