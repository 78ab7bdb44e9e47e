import { type Connector, type ConnectorLoaders } from '@inbox/integrations/contract';

/** A kind's loader: its module imported when first called, then a factory of the connector class it names. */
function loader<M extends Record<K, new () => Connector>, K extends keyof M>(
  load: () => Promise<M>,
  name: K,
): () => Promise<() => Connector> {
  return async () => {
    const ConnectorClass = (await load())[name];
    return () => new ConnectorClass();
  };
}

/**
 * Every account-based connector by kind, for the apps to wire into the channels library
 * (`ChannelsModule.forRoot(CONNECTORS)`). Libraries never import this: they know channels only through
 * the contract. Each connector's module (with its channel's SDK: telegraf, imapflow, nodemailer, …) is
 * imported only when the channels library first needs that kind, i.e. an account of it is configured.
 */
export const CONNECTORS: ConnectorLoaders = {
  email: loader(() => import('@inbox/integrations/email'), 'EmailConnector'),
  telegram: loader(() => import('@inbox/integrations/telegram'), 'TelegramConnector'),
  vk: loader(() => import('@inbox/integrations/vk'), 'VkConnector'),
  ok: loader(() => import('@inbox/integrations/ok'), 'OkConnector'),
  pos: loader(() => import('@inbox/integrations/pos'), 'PosConnector'),
  medo: loader(() => import('@inbox/integrations/medo'), 'MedoConnector'),
  'website-feed': loader(() => import('@inbox/integrations/website-feed'), 'WebsiteFeedConnector'),
};
