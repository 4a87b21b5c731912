import { failClosed } from '../../shared/config';
import { consume } from '../../shared/consume';
import { health } from '../../shared/health';
import { ShippingConfig } from './config';
import { handlers } from './consumer';

export { ShippingService } from './service';
export { ShipmentDO } from './shipment-do';

export default failClosed('shipping', ShippingConfig, {
  fetch: health('shipping'),
  queue: (batch, env) => consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS }),
} satisfies ExportedHandler<Env>);
