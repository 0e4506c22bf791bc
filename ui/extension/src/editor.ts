/**
 * Jira's comment editor, found and written to the way a person's typing would be.
 *
 * Jira Cloud writes comments in the Atlassian editor, a ProseMirror
 * `[contenteditable=true]` element (`.ProseMirror`); Jira Data Center in a wiki-markup
 * `<textarea id="comment">`. Text goes into either through the browser's own editing
 * (`insertText` and `setRangeText` followed by an `input` event), so the editors see an
 * ordinary edit and keep their undo history and drafts.
 */

export type Editor = { kind: 'rich'; element: HTMLElement } | { kind: 'plain'; element: HTMLTextAreaElement };

export function findEditor(document: Document): Editor | null {
  const rich = document.querySelector<HTMLElement>('.ProseMirror[contenteditable="true"]');
  if (rich) return { kind: 'rich', element: rich };
  const plain = document.querySelector<HTMLTextAreaElement>('textarea#comment, textarea[name="comment"]');
  if (plain && !plain.disabled && !plain.readOnly) return { kind: 'plain', element: plain };
  return null;
}

/** Inserts `text` at the editor's caret (at its end when the caret is elsewhere). */
export function insertInto(editor: Editor, text: string): boolean {
  const { element } = editor;
  element.focus();
  if (editor.kind === 'plain') {
    const area = editor.element;
    area.setRangeText(text, area.selectionStart, area.selectionEnd, 'end');
    area.dispatchEvent(new Event('input', { bubbles: true }));
    return true;
  }
  const selection = element.ownerDocument.getSelection();
  if (selection && !element.contains(selection.anchorNode)) {
    const range = element.ownerDocument.createRange();
    range.selectNodeContents(element);
    range.collapse(false);
    selection.removeAllRanges();
    selection.addRange(range);
  }
  // The only way to make an edit the editor handles as typing; deprecated but kept by
  // every browser for exactly this.
  return element.ownerDocument.execCommand('insertText', false, text);
}
