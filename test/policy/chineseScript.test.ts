import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as toTraditional from 'opencc-js/cn2t';
import * as toSimplified from 'opencc-js/t2cn';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fixtures.ts';

/**
 * Simplified files must contain no Traditional-only characters and the other way round: a text
 * already in a script is left unchanged when converted into that script.
 */
const cn2tw = toTraditional.Converter({ from: 'cn', to: 'tw' });
const tw2cn = toSimplified.Converter({ from: 'tw', to: 'cn' });

function changed(text: string, convert: (t: string) => string): string[] {
  const before = [...text];
  const after = [...convert(text)];
  return before.flatMap((ch, i) => (ch === after[i] ? [] : [`${ch}→${after[i]} in “${before.slice(Math.max(0, i - 5), i + 5).join('')}”`]));
}

describe('Chinese texts are in the script of their locale', () => {
  it.each(['knowledge/policy/zh-CN.md', 'prompts/zh-CN/decision.json'])('%s is Simplified', async (file) => {
    expect(changed(await readFile(path.join(ROOT, file), 'utf8'), tw2cn)).toEqual([]);
  });
  it.each(['knowledge/policy/zh-TW.md', 'prompts/zh-TW/decision.json'])('%s is Traditional', async (file) => {
    expect(changed(await readFile(path.join(ROOT, file), 'utf8'), cn2tw)).toEqual([]);
  });
});
