/**
 * Forgets what notifications kept of an erased customer, on customer.erased: the bodies of the mail
 * they were sent (the sink keeps who, what subject and when, so a replay still finds each mail sent
 * and sends none again), and the address and e-mail in webhook payloads, which are marked
 * `personalData: "erased"` (a delivery still pending goes out without them).
 */
export async function forgetCustomer(db: D1Database, customerId: string): Promise<void> {
  await db.batch([
    db.prepare("UPDATE mail SET body = '(erased)' WHERE recipient = ? AND body != '(erased)'").bind(customerId),
    db
      .prepare(
        `UPDATE webhook_deliveries
         SET payload = json_set(json_remove(payload, '$.data.data.shippingAddress', '$.data.data.email'), '$.data.data.personalData', 'erased')
         WHERE json_extract(payload, '$.data.data.customerId') = ?
           AND (json_type(payload, '$.data.data.shippingAddress') IS NOT NULL OR json_type(payload, '$.data.data.email') IS NOT NULL)`,
      )
      .bind(customerId),
  ]);
}
