import { failClosed } from '../../shared/config';
import { consume } from '../../shared/consume';
import { health } from '../../shared/health';
import { Meter } from '../../shared/metrics';
import { ShippingConfig } from './config';
import { handlers } from './consumer';

export { ShippingService } from './service';
export { ShipmentDO } from './shipment-do';

export default failClosed('shipping', ShippingConfig, {
  fetch: health('shipping'),
  queue: (batch, env, ctx?: ExecutionContext) =>
    consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS, metrics: new Meter(env, 'shipping', ctx) }),
} satisfies ExportedHandler<Env>);
