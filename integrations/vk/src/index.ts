export { VkConnector, VK_CALLBACK_OK, type VkConnectorOptions, type VkCursor } from './vk.connector';
export { ratingChoices, randomIdFor, keyboardJson, interpretPayload } from './vk-keyboard';
export { parseVkEvent, threadKeys, HANDLED_EVENT_TYPES } from './vk-events';
export { vkApiError, VkErrorCode } from './vk-api';
export { vkSettings, DEFAULT_API_BASE_URL, DEFAULT_API_VERSION, type VkSettings } from './vk-settings';
