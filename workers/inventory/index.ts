import { failClosed } from '../../shared/config';
import { consume } from '../../shared/consume';
import { health } from '../../shared/health';
import { InventoryConfig } from './config';
import { handlers } from './consumer';

export { InventoryDO } from './inventory-do';
export { InventoryService } from './service';

export default failClosed('inventory', InventoryConfig, {
  fetch: health('inventory'),
  queue: (batch, env) => consume(batch, handlers(env), { deadLetters: env.DEAD_LETTERS }),
} satisfies ExportedHandler<Env>);
