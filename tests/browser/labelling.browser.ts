/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM.
import type { Page } from 'playwright-core';
import {
  LABEL_TEMPLATES,
  type LabelQuestion,
  type QueueNextResponse,
  type TemplateId,
} from '@enclave/contracts';
import { codePointLength } from '@enclave/labeling';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkScreen, apiOf, expectCleanRun, firstLease, useEnclave } from './support';

/**
 * The annotator's day, by keyboard alone: one task of every template, answered with the keys the
 * labelling screen offers and submitted with Ctrl+Enter; the stored annotation is then read back from
 * the API. Nothing here clicks: every step is a key press (or typing) on what has the focus.
 */
const app = useEnclave();

interface Annotation {
  userId: string;
  status: string;
  result: Record<string, unknown>;
  revisions?: { revision: number; kind: string; result: Record<string, unknown> }[];
}

type TaskData = Record<string, unknown>;
type Answer = (page: Page, data: TaskData) => Promise<Record<string, unknown>>;

const template = (id: TemplateId) => LABEL_TEMPLATES.find((t) => t.id === id)!;
function question<T extends LabelQuestion['type']>(id: TemplateId, name: string, type: T) {
  const q = template(id).labelConfig.questions.find((x) => x.name === name);
  if (!q || q.type !== type) throw new Error(`template ${id} has no ${type} question ${name}`);
  return q as Extract<LabelQuestion, { type: T }>;
}

const press = async (page: Page, key: string, times = 1) => {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
};

/** The radio (or checkbox) named by an option's text is checked in a question: the widget shows the answer. */
async function expectChecked(page: Page, questionName: string, role: 'radio' | 'checkbox', name: string) {
  const scope = page.locator(`[data-question="${questionName}"]`);
  await expect.poll(() => scope.getByRole(role, { name, exact: true }).isChecked()).toBe(true);
}

/** Imported first into the named-entities project, ahead of its samples (priority). */
const NER_TEXT = '👩‍👩‍👧 Ada Lovelace studied at the University of London 🚀 in 1830.';

const graphemes = (s: string) => [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(s)].length;

/**
 * How each template is answered, key by key. Each returns the result the API must then hold. The
 * screen starts with focus where the first question's keys work: on the editor, in the text box of a
 * writing task, on the text of a span task and on the image of a box task.
 */
const ANSWERS: Record<TemplateId, Answer> = {
  'text-classification': async (page) => {
    const category = question('text-classification', 'category', 'single_choice');
    const topics = question('text-classification', 'topics', 'multi_choice');
    // `?` shows every shortcut; Esc closes the sheet and gives the focus back to the editor.
    await press(page, '?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor();
    expect(await sheet.getByText('New box with the current label', { exact: false }).count()).toBe(1);
    await checkScreen(page, 'label-shortcut-sheet');
    await press(page, 'Escape');
    await sheet.waitFor({ state: 'hidden' });
    await press(page, '2');
    await expectChecked(page, 'category', 'radio', category.options[1]!);
    await press(page, ']'); // the next question: the topics
    await press(page, '3');
    await press(page, '1');
    await press(page, '1'); // toggled on and off again
    await expectChecked(page, 'topics', 'checkbox', topics.options[2]!);
    return { category: category.options[1], topics: [topics.options[2]] };
  },

  'named-entities': async (page, data) => {
    // The task imported for this test (below): a family emoji of five code points (eight UTF-16
    // units, one grapheme cluster) and a rocket before the names. Each name is reached with the arrow
    // keys and selected with Shift+arrows, one cluster per key; offsets are code points.
    const text = data.text as string;
    expect(text).toBe(NER_TEXT);
    const caret = { at: 0 };
    const mark = async (name: string, key: string) => {
      const at = text.indexOf(name);
      if (at >= caret.at) await press(page, 'ArrowRight', graphemes(text.slice(caret.at, at)));
      else await press(page, 'ArrowLeft', graphemes(text.slice(at, caret.at)));
      await press(page, 'Shift+ArrowRight', graphemes(name));
      await expect.poll(() => page.getByText(`Selected “${name}”`).count()).toBe(1);
      await press(page, key);
      caret.at = at + name.length;
      const start = codePointLength(text.slice(0, at));
      return { start, end: start + codePointLength(name) };
    };
    // The focus is on the text to mark, named by its question.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')))
      .toBe('spans-text-entities');
    expect(await page.getByRole('group', { name: 'entities (required)', exact: true }).count()).toBe(1);
    await press(page, 'Home');
    const ada = await mark('Ada Lovelace', '1'); // PER
    const university = await mark('University of London', '2'); // ORG
    const london = await mark('London', '3'); // LOC, inside the ORG: overlapping spans
    // Five code points of family and a space before "Ada" (in UTF-16 it would start at 9).
    expect(ada).toEqual({ start: 6, end: 18 });
    await expect
      .poll(() => page.getByRole('list', { name: 'Marked spans' }).getByRole('listitem').allTextContents())
      .toEqual([
        expect.stringContaining('PER“Ada Lovelace”'),
        expect.stringContaining('ORG“University of London”'),
        expect.stringContaining('LOC“London”'),
      ]);
    return {
      entities: [
        { ...ada, label: 'PER' },
        { ...university, label: 'ORG' },
        { ...london, label: 'LOC' },
      ],
    };
  },

  'image-boxes': async (page) => {
    const flags = question('image-boxes', 'flags', 'multi_choice');
    await expect
      .poll(() => page.locator('img.boxes__image').evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    await press(page, '2'); // the label "person" for new boxes
    await press(page, 'n'); // a new box, centred, selected
    await press(page, 'ArrowRight', 2); // moved right by 2%
    await press(page, 'Shift+ArrowDown'); // 1% taller
    await expect.poll(() => page.getByRole('list', { name: 'Boxes' }).getByRole('listitem').count()).toBe(1);
    await expect.poll(() => page.getByLabel('Label of box 1').inputValue()).toBe('person');
    await press(page, ']'); // the flags
    await press(page, '2');
    await expectChecked(page, 'flags', 'checkbox', flags.options[1]!);
    return {
      objects: [{ x: 0.42, y: 0.4, width: 0.2, height: 0.21, label: 'person' }],
      flags: [flags.options[1]],
    };
  },

  'pairwise-preference': async (page) => {
    await press(page, 'b');
    await expectChecked(page, 'better', 'radio', 'Response B');
    await press(page, 't');
    await expectChecked(page, 'better', 'radio', 'Tie');
    await press(page, 'b');
    await press(page, ']'); // the optional reason, a text box
    await page.keyboard.type('B is right; A is not.');
    return { better: 'b', reason: 'B is right; A is not.' };
  },

  'response-ranking': async (page, data) => {
    const ids = (data.responses as { id: string }[]).map((r) => r.id);
    await press(page, ']'); // into the ranking list
    await press(page, 'ArrowDown'); // select response B
    await press(page, 'Alt+ArrowUp'); // and move it to the top
    await press(page, 'ArrowDown', 2); // select the third
    await press(page, 'Alt+ArrowDown'); // and move it to the end
    const expected = [ids[1], ids[0], ...ids.slice(3), ids[2]];
    return { order: expected };
  },

  'rubric-rating': async (page) => {
    await press(page, '6');
    await expectChecked(page, 'helpfulness', 'radio', '6');
    await press(page, ']');
    await press(page, '4');
    await expectChecked(page, 'harmlessness', 'radio', '4');
    await press(page, ']');
    await press(page, '5');
    await expectChecked(page, 'honesty', 'radio', '5');
    await press(page, ']'); // the optional notes
    await page.keyboard.type('Clear, correct and safe.');
    return { helpfulness: 6, harmlessness: 4, honesty: 5, notes: 'Clear, correct and safe.' };
  },

  'sft-writing': async (page) => {
    const quality = question('sft-writing', 'prompt_quality', 'single_choice');
    const response = 'A short answer, written by keyboard.\nWith a second line.';
    await page.keyboard.type(response); // the response's text box has the focus from the start
    await expect
      .poll(() => page.getByText(`${codePointLength(response)} `, { exact: false }).count())
      .toBeGreaterThan(0);
    await press(page, 'Tab'); // out of the text box, to the prompt's quality
    await press(page, '1');
    await expectChecked(page, 'prompt_quality', 'radio', quality.options[0]!);
    return { response, prompt_quality: quality.options[0] };
  },

  'chat-evaluation': async (page) => {
    const resolved = question('chat-evaluation', 'resolved', 'single_choice');
    const issues = question('chat-evaluation', 'issues', 'multi_choice');
    await press(page, '5');
    await expectChecked(page, 'quality', 'radio', '5');
    await press(page, 'Control+z'); // undone…
    await expect
      .poll(() => page.locator('[data-question="quality"]').getByRole('radio', { checked: true }).count())
      .toBe(0);
    await press(page, 'Control+Shift+z'); // …and redone
    await expectChecked(page, 'quality', 'radio', '5');
    await press(page, ']');
    await press(page, '2');
    await expectChecked(page, 'resolved', 'radio', resolved.options[1]!);
    await press(page, ']');
    await press(page, '7');
    await press(page, '1');
    return { quality: 5, resolved: resolved.options[1], issues: [issues.options[0], issues.options[6]] };
  },
};

describe('an annotator labels by keyboard', () => {
  let page: Page;
  let projectIds: Map<string, string>;

  beforeAll(async () => {
    page = await app.pageAs('annotator');
    const projects = await apiOf(page).get<{ items: { id: string; name: string }[] }>(
      '/api/v1/projects?limit=100',
    );
    projectIds = new Map(projects.items.map((p) => [p.name, p.id]));

    // The demo manager gives the named-entities project a task with emoji before the names, first in
    // the queue, and turns gold off there so that no gold sample comes first instead.
    const manager = await app.pageAs('manager');
    const ner = projectIds.get(template('named-entities').name)!;
    await apiOf(manager).send('PATCH', `/api/v1/projects/${ner}`, { goldPercent: 0 });
    await apiOf(manager).importTasks(ner, [
      { externalId: 'browser-emoji', data: { text: NER_TEXT }, priority: 1000 },
    ]);
    await manager.context().close();
  });

  it('has a demo project for every template', () => {
    expect(Object.keys(ANSWERS).sort()).toEqual(LABEL_TEMPLATES.map((t) => t.id).sort());
    for (const t of LABEL_TEMPLATES) expect(projectIds.has(t.name), t.name).toBe(true);
  });

  for (const t of LABEL_TEMPLATES) {
    it(`completes a “${t.name}” task without the mouse`, async () => {
      const projectId = projectIds.get(t.name)!;
      // From My projects, by keyboard: focus the project's link and press Enter.
      if (!page.url().endsWith('/projects')) {
        await page
          .getByRole('link', { name: /My projects/ })
          .first()
          .press('Enter');
      }
      const leased = firstLease(page, projectId);
      await page.getByRole('link', { name: `Start labelling ${t.name}` }).press('Enter');
      const lease = (await (await leased).json()) as QueueNextResponse;
      const task = lease.task;
      await page.getByRole('group', { name: 'Annotation editor' }).waitFor();
      // The screen puts the focus in the editor by itself.
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.closest('.editor') !== null))
        .toBe(true);

      const expected = await ANSWERS[t.id](page, task.data);
      await checkScreen(page, `label-${t.id}`);
      const undo = page.getByRole('toolbar', { name: 'Task actions' }).getByRole('button', { name: 'Undo' });
      expect(await undo.isEnabled()).toBe(true);

      const submitted = page.waitForResponse(
        (r) =>
          r.request().method() === 'PUT' &&
          r.url().endsWith(`/api/v1/tasks/${task.id}/annotation`) &&
          (r.request().postData() ?? '').includes('"status":"submitted"'),
      );
      await page.keyboard.press('Control+Enter');
      expect((await submitted).status()).toBe(200);

      const stored = await apiOf(page).get<{ items: Annotation[] }>(`/api/v1/tasks/${task.id}/annotations`);
      expect(stored.items).toHaveLength(1);
      const [annotation] = stored.items;
      expect(annotation!.status).toBe('submitted');
      expect(annotation!.result).toEqual(expected);
      expect(annotation!.revisions?.map((r) => [r.revision, r.kind])).toEqual([[1, 'submission']]);
      // The next task is on screen (a fresh history: nothing to undo), in an editor that has the focus.
      await expect.poll(() => undo.isDisabled(), { timeout: 10_000 }).toBe(true);
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.closest('.editor') !== null))
        .toBe(true);
    });
  }

  it('made no request to another origin, broke no CSP rule and opened no dialog', () => {
    expectCleanRun(app);
  });
});
