import { Dialog } from '../../../shared/components/Dialog';
import { SHORTCUT_SHEET } from '../editor/shortcuts';

export function ShortcutSheet({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="Keyboard shortcuts" onClose={onClose} wide>
      <div className="shortcut-sheet">
        {SHORTCUT_SHEET.map((group) => (
          <section key={group.group}>
            <h3>{group.group}</h3>
            <dl>
              {group.keys.map((k) => (
                <div key={k.keys} className="shortcut-sheet__row">
                  <dt>
                    <kbd>{k.keys}</kbd>
                  </dt>
                  <dd>{k.what}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </Dialog>
  );
}
