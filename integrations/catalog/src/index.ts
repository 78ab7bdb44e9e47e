import { type ConnectorFactories } from '@inbox/integrations/contract';
import { EmailConnector } from '@inbox/integrations/email';
import { MedoConnector } from '@inbox/integrations/medo';
import { OkConnector } from '@inbox/integrations/ok';
import { PosConnector } from '@inbox/integrations/pos';
import { TelegramConnector } from '@inbox/integrations/telegram';
import { VkConnector } from '@inbox/integrations/vk';
import { WebsiteFeedConnector } from '@inbox/integrations/website-feed';

/**
 * Every account-based connector by kind, for the apps to wire into the channels library
 * (`ChannelsModule.forRoot(CONNECTORS)`). Libraries never import this: they know channels only through
 * the contract.
 */
export const CONNECTORS: ConnectorFactories = {
  email: () => new EmailConnector(),
  telegram: () => new TelegramConnector(),
  vk: () => new VkConnector(),
  ok: () => new OkConnector(),
  pos: () => new PosConnector(),
  medo: () => new MedoConnector(),
  'website-feed': () => new WebsiteFeedConnector(),
};
