export * from './website-feed.connector';
