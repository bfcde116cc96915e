import OpenCC from 'opencc-js';

/** Converts Chinese text between Simplified and Traditional (Taiwan) characters. */
export interface ChineseScript {
  toSimplified(text: string): string;
  toTraditional(text: string): string;
}

/**
 * Builds both OpenCC converters. Building the s→t one takes ~0.2 s (dictionary load), so callers
 * create one per understander and share it instead of converting at import time.
 */
export function createChineseScript(): ChineseScript {
  // 'tw' rather than 't': Taiwan variants (裡, 著) are what our Traditional customers type.
  const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });
  const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });
  return { toSimplified, toTraditional };
}
