/**
 * The HTTP face of an internal service: liveness only, since everything else reaches it over RPC
 * and queues.
 *
 * @example
 * export default failClosed('orders', OrdersConfig, { fetch: health('orders'), queue } satisfies ExportedHandler<Env>);
 */
export function health(service: string): ExportedHandlerFetchHandler<unknown> {
  return (request) =>
    new URL(request.url).pathname === '/health'
      ? Response.json({ service, ok: true })
      : new Response('Not Found', { status: 404 });
}
