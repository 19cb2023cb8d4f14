/** The configuration language on one screen, so nobody needs the documentation to write one. */

const FIELDS: [string, string][] = [
  ['text', 'plain text; spans questions mark parts of it'],
  ['markdown', 'formatted text (sanitised)'],
  ['image', 'an image: the id of an asset uploaded to the project; bboxes questions draw on it'],
  ['chat', 'a conversation: [{"role": "user" | "assistant" | "system", "content": "…"}]'],
  ['responses', 'candidate answers: [{"id": "a", "text": "…"}]; pairwise and ranking questions compare them'],
];

const QUESTIONS: [string, string][] = [
  ['single_choice', '"options": ["pos", "neg"] — pick one'],
  ['multi_choice', '"options": [...] — pick any'],
  ['spans', '"field": a text field, "labels": ["PER", "ORG"] — mark parts of the text'],
  ['bboxes', '"field": an image field, "labels": [...] — draw boxes'],
  ['rating', '"min": 1, "max": 7 — a whole number on a scale'],
  ['pairwise', '"field": a responses field, "allowTie": true — a or b is better'],
  ['ranking', '"field": a responses field — order every response, best first'],
  ['text', '"minLength": 1, "maxLength": 2000 — write an answer'],
];

const EXAMPLE = `{
  "fields": [
    { "name": "prompt", "type": "text" },
    { "name": "responses", "type": "responses" }
  ],
  "questions": [
    { "name": "better", "type": "pairwise", "field": "responses", "allowTie": true },
    { "name": "quality", "type": "rating", "min": 1, "max": 7,
      "description": "How good is the better response?" },
    { "name": "notes", "type": "text", "required": false }
  ]
}`;

export function ConfigReference() {
  return (
    <details className="config-reference">
      <summary>How to write a configuration</summary>
      <p>
        Every field and question has a <code>name</code> (letters, digits, underscores) and a{' '}
        <code>type</code>. A task&rsquo;s data holds one value per field name; an annotation holds one answer
        per question name. Questions are required unless <code>&quot;required&quot;: false</code>; a{' '}
        <code>&quot;description&quot;</code> is shown to the annotator as the question.
      </p>
      <div className="config-reference__tables">
        <table>
          <caption>Field types</caption>
          <tbody>
            {FIELDS.map(([type, what]) => (
              <tr key={type}>
                <th scope="row">
                  <code>{type}</code>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table>
          <caption>Question types</caption>
          <tbody>
            {QUESTIONS.map(([type, what]) => (
              <tr key={type}>
                <th scope="row">
                  <code>{type}</code>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>An example, for comparing two model responses:</p>
      <pre className="code-block">{EXAMPLE}</pre>
    </details>
  );
}
