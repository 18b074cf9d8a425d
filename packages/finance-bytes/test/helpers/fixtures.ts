import { fileURLToPath } from 'node:url';

export const LOBSTER_TINY_DIR = fileURLToPath(new URL('../fixtures/lobster-tiny/', import.meta.url));
export const LOBSTER_TINY_MESSAGES = `${LOBSTER_TINY_DIR}TINY_2012-06-21_34200000_57600000_message_2.csv`;
export const LOBSTER_TINY_BOOK = `${LOBSTER_TINY_DIR}TINY_2012-06-21_34200000_57600000_orderbook_2.csv`;
