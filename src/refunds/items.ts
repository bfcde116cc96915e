import type { Order } from '../domain/order.ts';

/** What the customer's words select among an order's items. */
export type ItemChoice = { kind: 'items'; skus: string[] } | { kind: 'all' } | { kind: 'none' };

const ALL_WORDS = /\b(all|everything|whole order|entire order|both)\b|全部|所有|整单|整單|都退|整个订单|整個訂單/i;

const normalise = (text: string) => text.normalize('NFKC').toLowerCase();

/** Words of a product name worth matching on (drops short filler words). */
function nameWords(name: string): string[] {
  const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
  return [...segmenter.segment(normalise(name))]
    .filter((part) => part.isWordLike)
    .map((part) => part.segment)
    .filter((word) => word.length >= 3 || /\p{Script=Han}{2,}/u.test(word));
}

/**
 * Matches a message against an order's items: by SKU, by a distinctive word of the item name
 * ("the headphones"), by position when `byIndex` (an answer to "which item?": "2"), or "all".
 */
export function chooseItems(order: Order, text: string, options: { byIndex: boolean }): ItemChoice {
  const said = normalise(text).trim();
  if (ALL_WORDS.test(said)) return { kind: 'all' };
  const skus = order.items
    .filter((item) => {
      if (said.includes(normalise(item.sku))) return true;
      if (said === normalise(item.name)) return true;
      return nameWords(item.name).some((word) => said.includes(word.replace(/s$/, '')));
    })
    .map((item) => item.sku);
  if (skus.length > 0) return { kind: 'items', skus };
  if (options.byIndex && /^\d{1,2}$/.test(said)) {
    const item = order.items[Number(said) - 1];
    if (item) return { kind: 'items', skus: [item.sku] };
  }
  return { kind: 'none' };
}
