import type { Affirmation, Command } from './types.ts';

// Phrases are matched against folded text (lower case, Traditional already turned Simplified),
// so "重新開始" and "轉人工" are listed once, as 重新开始 and 转人工.

// Words that wrap a command without changing it: "ok cancel please", "算了吧".
const FILLER_BEFORE = /^(?:(?:ok(?:ay)?|please|pls|plz|just|um+|uh+|oh|hey|那|请|麻烦)\s*)+/u;
const FILLER_AFTER = /(?:\s*(?:please|pls|plz|thanks|thank you|thx|then|now|吧|啊|呀|啦|哦|嘛|谢谢|谢了))+$/u;
const PUNCTUATION = /[\p{P}\p{S}\s]+/gu;

/** Commands that must be the whole message: "cancel" inside a sentence is usually about an order. */
const WHOLE: Record<Exclude<Command, 'human'>, string[]> = {
  cancel: [
    'cancel', 'cancel it', 'cancel that', 'cancel this', 'cancel the refund', 'stop', 'stop it', 'quit', 'exit',
    'never mind', 'nevermind', 'nvm', 'forget it', 'forget about it', 'abort',
    '取消', '取消退款', '不退了', '算了', '退出', '不用了', '没事了', '停',
  ],
  restart: [
    'start over', 'restart', 'reset', 'start again', 'begin again', 'from the beginning', 'lets start over',
    "let's start over", 'start from scratch',
    '重新开始', '重来', '从头开始', '重新来', '再来一次', '重新来过',
  ],
  help: [
    'help', 'help me', 'what can you do', 'what can i do', 'menu', 'options', 'how does this work',
    '帮助', '帮忙', '求助', '怎么用', '你能做什么', '你可以做什么', '菜单', '使用说明',
  ],
};

// Asking for a person is honoured wherever it appears in the message ("the item broke, let me
// talk to a human"); 人工 but not 人工智能 (AI).
const HUMAN =
  /\b(?:(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|some\s+|your\s+)?(?:real\s+|live\s+|actual\s+)?(?:person|human|agent|representative|rep|someone|somebody|people|staff|manager|supervisor)|(?:real|live|actual)\s+(?:person|human|agent)|human\s+(?:agent|being|support)|customer\s+service\s+(?:agent|representative|rep)|transfer\s+me|connect\s+me\s+(?:to|with))\b|^(?:human|agent|representative|operator|a human|a person|person)$|^客服$|人工(?!智能)|真人|客服人员|转客服|找客服|接线员/u;

/** The conversation command a message gives, if any. */
export function detectCommand(folded: string): Command | undefined {
  const core = stripFiller(folded);
  if (HUMAN.test(core) || HUMAN.test(folded)) return 'human';
  for (const [command, phrases] of Object.entries(WHOLE) as [Exclude<Command, 'human'>, string[]][]) {
    if (phrases.includes(core) || phrases.includes(core.replace(PUNCTUATION, ''))) return command;
  }
  return undefined;
}

const YES = new Set([
  'yes', 'y', 'yeah', 'yea', 'yep', 'yup', 'ya', 'sure', 'ok', 'okay', 'k', 'correct', 'right', "that's right",
  'thats right', 'that is right', 'that is correct', "that's correct", 'exactly', 'of course', 'absolutely',
  'yes please', 'sure thing', 'definitely', 'confirm', 'confirmed', 'go ahead', 'do it', 'please do', 'affirmative',
  '是', '是的', '是啊', '是呀', '对', '对的', '对啊', '好', '好的', '好啊', '可以', '行', '嗯', '嗯嗯', '恩', '没错',
  '没问题', '确认', '确定', '要', '需要', '当然', '对呀', '同意', '好滴', 'ok的',
]);
const NO = new Set([
  'no', 'n', 'nope', 'nah', 'no thanks', 'no thank you', 'not really', 'negative', 'not at all', 'incorrect',
  "that's wrong", 'thats wrong', 'wrong', 'not that', 'no way', 'i do not', "i don't", 'dont', "don't",
  '不', '不是', '否', '不对', '不要', '不用', '不行', '没有', '不需要', '不可以', '不同意', '错', '错了', '没',
]);
const FIRST_WORD_YES = new Set(['yes', 'yeah', 'yep', 'yup', 'sure']);
const FIRST_WORD_NO = new Set(['no', 'nope', 'nah']);

/**
 * Yes or no, read from the message's first clause: "No, I never got it" is a no. English
 * also counts a leading yes/no word in a short clause ("yes that one"); Chinese does not, because
 * 不 starts many sentences that are not answers (不想要了).
 */
export function detectAffirmation(folded: string): Affirmation | undefined {
  const first = folded.split(/[,.!?;:，。！？；：~、\n]/u).find((part) => part.trim() !== '') ?? '';
  const clause = stripFiller(first.trim());
  if (YES.has(clause)) return 'yes';
  if (NO.has(clause)) return 'no';
  const words = clause.split(' ');
  if (words.length <= 5) {
    if (FIRST_WORD_YES.has(words[0] ?? '')) return 'yes';
    if (FIRST_WORD_NO.has(words[0] ?? '')) return 'no';
  }
  return undefined;
}

function stripFiller(text: string): string {
  const trimmed = text.replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '');
  const stripped = trimmed.replace(FILLER_BEFORE, '').replace(FILLER_AFTER, '').trim();
  // "ok" alone is an answer, not filler around nothing.
  return stripped === '' ? trimmed : stripped;
}
