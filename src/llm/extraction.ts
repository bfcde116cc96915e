import { z } from 'zod';
import { CATEGORIES, INTENTS } from '../domain/categories.ts';

/**
 * What the model extracts from one customer message (given the conversation so far): the same
 * schema the function call declares and the answer is validated against. Every field is
 * required (nullable when absent), as OpenAI's strict function calling wants.
 */
export const Extraction = z.object({
  intent: z.enum(INTENTS),
  intentConfidence: z.number().min(0).max(1),
  category: z.enum(CATEGORIES),
  categoryConfidence: z.number().min(0).max(1),
  orderId: z.string().max(40).nullable(),
  item: z.string().max(120).nullable(),
  email: z.string().max(200).nullable(),
  phone: z.string().max(60).nullable(),
  summary: z.string().max(300),
});
export type Extraction = z.infer<typeof Extraction>;
