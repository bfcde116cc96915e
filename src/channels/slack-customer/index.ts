/**
 * Slack as a customer channel: direct messages to the app and mentions in channels reach the
 * assistant (`SlackCustomerChannel`), on the same Slack app as the agent desk.
 */
export { SLACK_CHANNEL, SlackCustomerChannel, type SlackCustomerChannelOptions } from './channel.ts';
export { decodeAddress, encodeAddress, type SlackAddress } from './address.ts';
