import { describe, expect, it } from 'vitest';
import { createChineseScript } from '../../src/understanding/chinese.ts';
import { detectAffirmation, detectCommand } from '../../src/understanding/commands.ts';
import { foldText } from '../../src/understanding/normalize.ts';

const script = createChineseScript();
const command = (text: string) => detectCommand(foldText(text, script));
const affirmation = (text: string) => detectAffirmation(foldText(text, script));

describe('detectCommand', () => {
  it.each([
    ['cancel', 'cancel'],
    ['Cancel.', 'cancel'],
    ['stop', 'cancel'],
    ['never mind', 'cancel'],
    ['ok cancel please', 'cancel'],
    ['取消', 'cancel'],
    ['算了', 'cancel'],
    ['算了吧', 'cancel'],
    ['start over', 'restart'],
    ['Start over!', 'restart'],
    ['重新开始', 'restart'],
    ['重新開始', 'restart'],
    ['talk to a person', 'human'],
    ['Can I speak with a real person about my refund?', 'human'],
    ['the item broke, let me talk to a human', 'human'],
    ['agent', 'human'],
    ['人工', 'human'],
    ['转人工', 'human'],
    ['轉人工', 'human'],
    ['真人客服', 'human'],
    ['help', 'help'],
    ['帮助', 'help'],
    ['幫助', 'help'],
  ] as const)('%s → %s', (text, expected) => {
    expect(command(text)).toBe(expected);
  });

  it.each([
    'I want to cancel my order 100234',
    'please stop charging my card',
    'help me get a refund',
    '我想取消订单',
    '人工智能耳机坏了',
    'the box was damaged',
    'yes',
  ])('%s is no command', (text) => {
    expect(command(text)).toBeUndefined();
  });
});

describe('detectAffirmation', () => {
  it.each([
    ['yes', 'yes'],
    ['Yes!', 'yes'],
    ['yep', 'yes'],
    ['yes please', 'yes'],
    ['yes, that one', 'yes'],
    ['sure', 'yes'],
    ['是', 'yes'],
    ['是的', 'yes'],
    ['好', 'yes'],
    ['好的，谢谢', 'yes'],
    ['對', 'yes'],
    ['對的', 'yes'],
    ['沒錯', 'yes'],
    ['no', 'no'],
    ['No, I never got it', 'no'],
    ['nope', 'no'],
    ['no thanks', 'no'],
    ['不', 'no'],
    ['不是', 'no'],
    ['否', 'no'],
    ['不對', 'no'],
    ['不是，我要退另一件', 'no'],
  ] as const)('%s → %s', (text, expected) => {
    expect(affirmation(text)).toBe(expected);
  });

  it.each(['I want a refund', 'not sure what you mean', '不想要了', '好像坏了', 'yesterday', 'nothing arrived', '100234'])(
    '%s is neither yes nor no',
    (text) => {
      expect(affirmation(text)).toBeUndefined();
    },
  );
});
