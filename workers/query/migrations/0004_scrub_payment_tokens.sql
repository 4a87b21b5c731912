-- The timeline keeps what customers may read back; the payment token is not among it. Projections
-- no longer store it; this scrubs what earlier deploys did.
UPDATE timeline SET data = json_remove(data, '$.payment') WHERE type = 'order.placed';
