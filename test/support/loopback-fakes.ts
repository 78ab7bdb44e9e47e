import { allowInternalHosts } from '@inbox/integrations/contract';

/**
 * The fake channel servers listen on loopback, which every outbound connection of a channel account refuses
 * unless allowed. The channels registry allows the environment's account hosts (CHANNEL_INTERNAL_HOSTS and the
 * accounts' own) when it starts; a test that builds a connector without it gets the same allowance here, set up
 * before each test file (jest's setupFilesAfterEnv) so that no connector test has to remember it. A registry,
 * or a test of the refusal itself (outbound-internal-address.test.ts), sets its own and replaces this one.
 */
allowInternalHosts(['127.0.0.1']);
