-- The read side keeps no personal data: events carry the address and e-mail sealed with the
-- customer's key, and projections drop them. This removes what earlier deploys stored in the clear.
UPDATE timeline SET data = json_remove(data, '$.shippingAddress', '$.email') WHERE type LIKE 'order.%';
UPDATE timeline SET data = json_remove(data, '$.address') WHERE type = 'shipment.created';
