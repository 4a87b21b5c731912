// The bench's trivial Worker (wrangler.toml beside it): what a request costs when the Worker does nothing.
export default {
  fetch(): Response {
    return new Response('ok');
  },
};
