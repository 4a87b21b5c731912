import { failClosed } from '../../shared/config';
import { health } from '../../shared/health';
import { VaultConfig } from './config';

export { KeyDO } from './key-do';
export { VaultService } from './service';

export default failClosed('vault', VaultConfig, { fetch: health('vault') } satisfies ExportedHandler<Env>);
