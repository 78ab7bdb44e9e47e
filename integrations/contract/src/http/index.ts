/** HTTP plumbing shared by the connectors that call a remote API directly (VK, OK). */
export * from './http';
export * from './download';
export * from './json-body';
export * from './internal-address';
