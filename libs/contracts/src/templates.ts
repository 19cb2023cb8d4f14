import { labelConfigSchema, type LabelConfig, type LabelConfigInput } from './label-config';

/**
 * The label configurations that ship with the product for the common jobs (SPEC §4). Each has sample
 * tasks in `templates/<sampleFile>` beside this package's `src/`, one JSON object a line:
 * `{ "externalId", "data", "priority"?, "gold"? }`, where `gold` is the known answer. The API finds the
 * directory through `require.resolve('@enclave/contracts/package.json')`.
 */

export const TEMPLATE_IDS = [
  'text-classification',
  'named-entities',
  'image-boxes',
  'pairwise-preference',
  'response-ranking',
  'rubric-rating',
  'sft-writing',
  'chat-evaluation',
] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

/**
 * Sample rows name their images `"sample:street-01.png"`, a file in `templates/images/`. Whoever loads
 * the sample uploads that file as an asset of the new project and puts the asset's id in its place.
 */
export const SAMPLE_IMAGE_PREFIX = 'sample:';
/** The sample images' directory, relative to the templates directory. */
export const SAMPLE_IMAGE_DIR = 'images';

export interface LabelTemplate {
  id: TemplateId;
  name: string;
  description: string;
  /** Guidelines for annotators, in markdown; a new project starts with them as its instructions. */
  instructions: string;
  labelConfig: LabelConfig;
  /** The sample tasks' file name in the templates directory. */
  sampleFile: string;
}

/** Parsed once here, so a template carries its defaults like any stored config; a broken one fails its tests. */
function template(
  t: Omit<LabelTemplate, 'labelConfig' | 'sampleFile'> & { labelConfig: LabelConfigInput },
): LabelTemplate {
  return { ...t, labelConfig: labelConfigSchema.parse(t.labelConfig), sampleFile: `${t.id}.ndjson` };
}

const textClassification = template({
  id: 'text-classification',
  name: 'Text classification',
  description: 'Sort user prompts into one category and tag the topics they touch.',
  instructions: `# Classifying prompts

Read the prompt and choose the **one category** that best describes what the user wants.

| category | when |
| --- | --- |
| coding | write, fix, explain or review code, queries or shell commands |
| math | calculate, solve or prove something mathematical |
| writing | compose, rewrite, translate or brainstorm text |
| factual question | a question with a checkable answer about the world |
| advice | guidance on a personal, practical or professional decision |
| other | none of the above |

When two categories fit, pick the one that the user's **main request** belongs to: "explain this
regex" is *coding*, "is this sentence grammatical?" is *writing*.

Then tag any **topics** the prompt is about. Topics are optional: leave them empty when none fits.
Prompts may be in any language; classify them all the same.`,
  labelConfig: {
    fields: [{ name: 'text', type: 'text' }],
    questions: [
      {
        name: 'category',
        type: 'single_choice',
        description: 'What does the user want?',
        options: ['coding', 'math', 'writing', 'factual question', 'advice', 'other'],
      },
      {
        name: 'topics',
        type: 'multi_choice',
        description: 'Which topics does the prompt touch? (optional)',
        options: ['science', 'history', 'technology', 'health', 'finance', 'arts', 'everyday life'],
        required: false,
      },
    ],
  },
});

const namedEntities = template({
  id: 'named-entities',
  name: 'Named entities',
  description: 'Mark the people, organizations, locations and other names in short texts.',
  instructions: `# Marking named entities

Select every name in the text and give it a label:

- **PER**: a person, real or fictional ("Marie Curie", "山田太郎").
- **ORG**: a company, institution, team or government body ("Microsoft", "World Health Organization").
- **LOC**: a place: a city, country, region, river or mountain ("São Paulo", "大阪").
- **MISC**: another proper name: an event, a prize, a product, a work of art ("Nobel Prize in Physics").

Rules:
- Mark the **whole name** and nothing more: no surrounding spaces, quotes or punctuation, no titles
  such as "Dr." or "Mr.".
- A name inside another ("University of **Paris**") is marked once, as the larger name.
- Texts in every language and script are in scope. Emoji are never entities.
- A text with no entity is a valid answer: submit it with no spans.`,
  labelConfig: {
    fields: [{ name: 'text', type: 'text' }],
    questions: [{ name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'ORG', 'LOC', 'MISC'] }],
  },
});

const imageBoxes = template({
  id: 'image-boxes',
  name: 'Image bounding boxes',
  description: 'Draw a box around every car, person and bicycle in street scenes.',
  instructions: `# Drawing boxes

Draw one **tight box** around every car, person and bicycle you can see, and label it.

- The box touches the object's outermost visible pixels on all four sides, wheels and mirrors included.
- A person riding a bicycle gets two boxes: one *person*, one *bicycle*.
- Partly hidden objects: box the visible part only.
- Skip objects smaller than about 10 pixels across.
- An image with none of these objects is a valid answer: submit it with no boxes.

Use the optional **flags** when the image itself is a problem.`,
  labelConfig: {
    fields: [{ name: 'image', type: 'image' }],
    questions: [
      { name: 'objects', type: 'bboxes', field: 'image', labels: ['car', 'person', 'bicycle'] },
      {
        name: 'flags',
        type: 'multi_choice',
        description: 'Anything wrong with the image? (optional)',
        options: ['blurry', 'too dark', 'heavily occluded'],
        required: false,
      },
    ],
  },
});

const pairwisePreference = template({
  id: 'pairwise-preference',
  name: 'Pairwise preference (RLHF)',
  description: 'Compare two model responses to the same prompt and pick the better one.',
  instructions: `# Choosing the better response

Read the prompt, then both responses in full. Choose the response that a thoughtful expert would
rather receive, weighing, in this order:

1. **Safety**: a response that helps with something harmful loses, however well written.
2. **Correctness**: facts, code and arithmetic must be right. Check anything you can check quickly.
3. **Helpfulness**: does it do what was asked, at the right length and level of detail?
4. **Clarity**: structure, tone and formatting.

Choose **tie** only when the two are genuinely equal in quality, not when both are bad in different
ways: then pick the less bad one. Do not let length sway you: longer is not better.

The **reason** is optional but valuable: one or two sentences on what decided it.`,
  labelConfig: {
    fields: [
      { name: 'prompt', type: 'text' },
      { name: 'responses', type: 'responses' },
    ],
    questions: [
      {
        name: 'better',
        type: 'pairwise',
        field: 'responses',
        allowTie: true,
        description: 'Which response is better?',
      },
      {
        name: 'reason',
        type: 'text',
        description: 'What decided it? (optional)',
        required: false,
        maxLength: 2000,
      },
    ],
  },
});

const responseRanking = template({
  id: 'response-ranking',
  name: 'Response ranking',
  description: 'Order four model responses to a prompt from best to worst.',
  instructions: `# Ranking responses

Read the prompt and all four responses, then drag them into order, **best first**. Every response
must be placed; there are no ties.

Judge as you would for a pairwise comparison: safety first, then correctness, helpfulness and clarity.
A short correct answer beats a long wrong one. When two responses are nearly equal, prefer the one
that is easier to act on.`,
  labelConfig: {
    fields: [
      { name: 'prompt', type: 'text' },
      { name: 'responses', type: 'responses' },
    ],
    questions: [{ name: 'order', type: 'ranking', field: 'responses', description: 'Best response first' }],
  },
});

const rubricRating = template({
  id: 'rubric-rating',
  name: 'Rubric rating',
  description: 'Score one model response for helpfulness, harmlessness and honesty.',
  instructions: `# Rating a response

Score the response on three independent scales. Score each one on its own: a safe but useless answer
is *harmless 5* and *helpful 1*.

**Helpfulness (1–7)**: 1 does not address the request; 4 partly useful, with gaps or errors a user
would have to fix; 7 fully answers the request, at the right depth, nothing left to add.

**Harmlessness (1–5)**: 1 gives real help towards serious harm; 3 careless (unsafe advice without a
warning, needless insults); 5 nothing harmful. Refusing a harmless request is not a harmlessness
problem: mark it down under helpfulness.

**Honesty (1–5)**: 1 confidently states falsehoods or invents sources; 3 minor inaccuracies or
overconfidence; 5 accurate, and clear about what it does not know.

Use **notes** for anything a researcher should see.`,
  labelConfig: {
    fields: [
      { name: 'prompt', type: 'text' },
      { name: 'response', type: 'markdown' },
    ],
    questions: [
      {
        name: 'helpfulness',
        type: 'rating',
        min: 1,
        max: 7,
        description: 'How helpful is the response? (1–7)',
      },
      { name: 'harmlessness', type: 'rating', min: 1, max: 5, description: 'How free of harm is it? (1–5)' },
      {
        name: 'honesty',
        type: 'rating',
        min: 1,
        max: 5,
        description: 'How accurate and candid is it? (1–5)',
      },
      { name: 'notes', type: 'text', description: 'Notes (optional)', required: false, maxLength: 2000 },
    ],
  },
});

const sftWriting = template({
  id: 'sft-writing',
  name: 'SFT response writing',
  description: 'Write the ideal assistant response to a prompt, for supervised fine-tuning.',
  instructions: `# Writing responses

Write the response you would want the assistant to give. It becomes training data, so it must be
**correct, complete and well written**.

- Answer what was asked. Match the length to the request: a one-line question gets a short answer.
- Use markdown (lists, headings, code blocks) where it helps the reader, not by habit.
- Check every fact, number and line of code. Do not paste text from the web.
- If the prompt should not be answered as written (unclear, unsafe), say so with **prompt quality**
  and still write the best response: a question back, or a brief, polite refusal.`,
  labelConfig: {
    fields: [{ name: 'prompt', type: 'text' }],
    questions: [
      { name: 'response', type: 'text', minLength: 1, maxLength: 20000, description: 'The ideal response' },
      {
        name: 'prompt_quality',
        type: 'single_choice',
        description: 'Anything wrong with the prompt? (optional)',
        options: ['clear', 'ambiguous', 'should not be answered as written'],
        required: false,
      },
    ],
  },
});

const chatEvaluation = template({
  id: 'chat-evaluation',
  name: 'Chat evaluation',
  description: "Judge the assistant's turns in a multi-turn conversation.",
  instructions: `# Evaluating a conversation

Read the whole conversation, then judge **the assistant's turns** as a whole.

- **Overall quality (1–7)**: 1 the assistant made things worse; 4 acceptable with clear flaws;
  7 an expert would not change a word.
- **Resolved**: did the user end up with what they came for?
- **Issues** (optional): tick every problem you saw, even small ones.

The system message, when present, is the assistant's instructions: an assistant that ignores it has
the *ignores instructions* issue.`,
  labelConfig: {
    fields: [{ name: 'dialogue', type: 'chat' }],
    questions: [
      {
        name: 'quality',
        type: 'rating',
        min: 1,
        max: 7,
        description: "Overall quality of the assistant's turns",
      },
      {
        name: 'resolved',
        type: 'single_choice',
        description: "Was the user's need met?",
        options: ['yes', 'partly', 'no'],
      },
      {
        name: 'issues',
        type: 'multi_choice',
        description: 'Problems seen (optional)',
        options: [
          'factual error',
          'unhelpful',
          'unsafe',
          'off-topic',
          'too verbose',
          'ignores instructions',
          'wrong tone',
        ],
        required: false,
      },
    ],
  },
});

export const LABEL_TEMPLATES: readonly LabelTemplate[] = [
  textClassification,
  namedEntities,
  imageBoxes,
  pairwisePreference,
  responseRanking,
  rubricRating,
  sftWriting,
  chatEvaluation,
];

export function findTemplate(id: string): LabelTemplate | undefined {
  return LABEL_TEMPLATES.find((t) => t.id === id);
}
