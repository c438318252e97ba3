import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { LEARNS_FROM_PLACEMENTS_BELOW, type ArgsIn, type Capabilities, type Settings } from '../../../core/api.js';
import { ErrorNote, Loading } from '../components/common.js';
import { GroupCountHint } from '../components/GroupCountHint.js';
import { errorMessage, useApi, useNotices } from '../data/context.js';
import { qk } from '../data/keys.js';
import { useCapabilities, useSettings } from '../data/queries.js';
import { formatBytes } from '../lib/format.js';

/** How grouping runs: K, mode, backbone, backend (with what this machine can do) and epochs. */
export function SettingsView() {
  const settings = useSettings();
  const caps = useCapabilities();
  if (settings.isPending || caps.isPending) return <Loading />;
  if (settings.isError) return <ErrorNote error={settings.error} retry={() => void settings.refetch()} />;
  if (caps.isError) return <ErrorNote error={caps.error} retry={() => void caps.refetch()} />;
  return <SettingsForm initial={settings.data} />;
}

function SettingsForm({ initial }: { initial: Settings }) {
  const api = useApi();
  const qc = useQueryClient();
  const caps = useCapabilities().data!;
  const { notify } = useNotices();
  const [draft, setDraft] = useState<Settings>(initial);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft(initial), [initial]);
  const ids = { k: useId(), mode: useId(), backbone: useId(), backend: useId(), epochs: useId() };
  const autoK = draft.k === 'auto';

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const args: ArgsIn<'updateSettings'> = { k: draft.k, mode: draft.mode, backbone: draft.backbone, backend: draft.backend, epochs: draft.epochs };
      const saved = await api.updateSettings(args);
      qc.setQueryData(qk.settings, saved);
      void qc.invalidateQueries({ queryKey: qk.capabilities });
      notify('Settings saved. They apply the next time you group photos.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="view settings-view">
      <h2>Settings</h2>
      <form className="card settings-form" onSubmit={(e) => void save(e)}>
        <fieldset>
          <legend>Number of groups</legend>
          <label className="check">
            <input type="radio" name="k" checked={autoK} onChange={() => setDraft({ ...draft, k: 'auto' })} /> Choose automatically
          </label>
          <label className="check">
            <input type="radio" name="k" checked={!autoK} onChange={() => setDraft({ ...draft, k: typeof draft.k === 'number' ? draft.k : 10 })} /> Exactly
          </label>
          <label htmlFor={ids.k} className="sr-only">
            Number of groups
          </label>
          <input
            id={ids.k}
            type="number"
            min={2}
            max={500}
            disabled={autoK}
            value={autoK ? '' : draft.k}
            onChange={(e) => setDraft({ ...draft, k: Math.max(2, Math.min(500, Math.round(Number(e.target.value)) || 2)) })}
          />
          <GroupCountHint />
        </fieldset>
        <details className="advanced" data-testid="settings-advanced">
        <summary>Advanced: how the grouping is computed</summary>
        <div className="field">
          <label htmlFor={ids.mode}>Mode</label>
          <select id={ids.mode} value={draft.mode} onChange={(e) => setDraft({ ...draft, mode: e.target.value as Settings['mode'] })}>
            <option value="finetune">Fine-tune a pretrained backbone (better, needs the model)</option>
            <option value="scratch">Train from scratch (no download)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.backbone}>Backbone</label>
          <select id={ids.backbone} value={draft.backbone} onChange={(e) => setDraft({ ...draft, backbone: e.target.value })} disabled={draft.mode === 'scratch'}>
            {caps.backbones.map((b) => (
              <option key={b.id} value={b.id}>
                {b.id}
                {b.isDefault ? ' (default)' : ''}
              </option>
            ))}
          </select>
          <BackboneFacts backbone={caps.backbones.find((b) => b.id === draft.backbone)} />
          {draft.mode === 'finetune' && <NamingModelFacts backbones={caps.backbones} chosen={draft.backbone} />}
        </div>
        <div className="field">
          <label htmlFor={ids.backend}>Compute backend</label>
          <select id={ids.backend} value={draft.backend} onChange={(e) => setDraft({ ...draft, backend: e.target.value as Settings['backend'] })}>
            <option value="auto">Automatic (fastest available)</option>
            {caps.backends.map((b) => (
              <option key={b.name} value={b.name} disabled={!b.available}>
                {b.name} ({b.kind}){b.available ? '' : ' — not available'}
              </option>
            ))}
          </select>
          <ul className="backend-list" aria-label="Backends on this computer">
            {caps.backends.map((b) => (
              <li key={b.name}>
                <strong>{b.name}</strong> {b.available ? '✓ available' : '✗ not available'}
                {b.notes && <span className="muted"> — {b.notes}</span>}
              </li>
            ))}
          </ul>
          <p className="muted">In use now: {caps.activeBackend ?? 'not started yet'}</p>
        </div>
        <div className="field">
          <label htmlFor={ids.epochs}>Training epochs (empty = the mode's default)</label>
          <input
            id={ids.epochs}
            type="number"
            min={1}
            max={1000}
            value={draft.epochs ?? ''}
            onChange={(e) => setDraft({ ...draft, epochs: e.target.value === '' ? null : Math.max(1, Math.min(1000, Math.round(Number(e.target.value)) || 1)) })}
            aria-describedby={`${ids.epochs}-hint`}
          />
          <p className="muted" id={`${ids.epochs}-hint`}>
            In fine-tune mode, folders of fewer than {LEARNS_FROM_PLACEMENTS_BELOW.toLocaleString('en-US')} photos are grouped by likeness alone, which sorts them better; a number here trains the network on them anyway.
          </p>
        </div>
        </details>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      </form>
      <p className="muted">
        PhotoCluster {caps.version} · {caps.platform === 'electron' ? 'desktop app' : 'browser mode'}
      </p>
    </div>
  );
}

/** The facts the backbone menu used to cram into each option (and cut off): size, licence, download state. */
function BackboneFacts({ backbone }: { backbone: Capabilities['backbones'][number] | undefined }) {
  if (!backbone) return null;
  return (
    <p className="muted">
      {backbone.description} · {backbone.inputSize} px · {formatBytes(backbone.bytes)} · {backbone.license}
      {backbone.downloaded ? ' · downloaded' : ' · downloads on first use'}
    </p>
  );
}

/** Suggested names come from a second model when the chosen backbone is not it: its size and download belong here too. */
function NamingModelFacts({ backbones, chosen }: { backbones: Capabilities['backbones']; chosen: string }) {
  const naming = backbones.find((b) => b.namesGroups);
  if (!naming || naming.id === chosen) return null;
  return (
    <p className="muted" data-testid="naming-model">
      Suggested group names use {naming.id} · {formatBytes(naming.bytes)}
      {naming.downloaded ? ' · downloaded' : ' · downloads on first use'}
    </p>
  );
}
