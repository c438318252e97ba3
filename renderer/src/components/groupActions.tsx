import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { argSchemas, type ClusterInfo } from '../../../core/api.js';
import { useEdit } from '../data/queries.js';
import { Dialog } from './common.js';

/** The contract's own rule for a group name, so the UI explains a bad name before the core refuses it. */
export function nameProblem(name: string): string | null {
  const r = argSchemas.renameCluster.shape.name.safeParse(name);
  return r.success ? null : (r.error.issues[0]?.message ?? 'invalid name');
}

/** A group name that turns into a text field to rename the group. */
export function EditableName({ cluster, headingLevel = 3 }: { cluster: ClusterInfo; headingLevel?: 2 | 3 }) {
  const rename = useEdit('renameCluster', cluster.libraryId);
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(cluster.name);
  const input = useRef<HTMLInputElement>(null);
  const errorId = useId();
  useEffect(() => {
    if (editing) input.current?.select();
  }, [editing]);
  const problem = editing ? nameProblem(value) : null;
  const Heading = headingLevel === 2 ? 'h2' : 'h3';

  function submit(e: FormEvent) {
    e.preventDefault();
    if (problem) return;
    if (value.trim() !== cluster.name) rename.mutate({ clusterId: cluster.id, name: value.trim() });
    setEditing(false);
  }

  if (!editing) {
    return (
      <div className="group-name">
        <Heading className="group-title">{cluster.name}</Heading>
        <button
          type="button"
          className="link-button"
          aria-label={`Rename ${cluster.name}`}
          onClick={() => {
            setValue(cluster.name);
            setEditing(true);
          }}
        >
          Rename
        </button>
      </div>
    );
  }
  return (
    <form className="group-name editing" onSubmit={submit}>
      <input
        ref={input}
        value={value}
        aria-label={`New name for ${cluster.name}`}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? errorId : undefined}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            setEditing(false);
          }
        }}
        maxLength={200}
      />
      <button type="submit" disabled={!!problem}>
        Save
      </button>
      <button type="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {problem && (
        <span id={errorId} className="error-text">
          {problem}
        </span>
      )}
    </form>
  );
}

export function SplitDialog({ cluster, onClose }: { cluster: ClusterInfo; onClose: () => void }) {
  const split = useEdit('splitCluster', cluster.libraryId);
  const [n, setN] = useState(2);
  const id = useId();
  const max = Math.max(2, Math.min(50, cluster.size));
  return (
    <Dialog title={`Split ${cluster.name}`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          split.mutate({ clusterId: cluster.id, n }, { onSuccess: onClose });
        }}
      >
        <p>PhotoCluster re-groups the {cluster.size} photos of this group into smaller groups by what they show. Photos you placed by hand stay together.</p>
        <div className="field">
          <label htmlFor={id}>Number of new groups</label>
          <input id={id} type="number" min={2} max={max} value={n} onChange={(e) => setN(Math.max(2, Math.min(max, Number(e.target.value) || 2)))} />
        </div>
        <div className="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={split.isPending || cluster.size < 2}>
            {split.isPending ? 'Splitting…' : `Split into ${n}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function MergeDialog({ clusters, onClose, onMerged }: { clusters: ClusterInfo[]; onClose: () => void; onMerged?: (clusterId: number) => void }) {
  const libraryId = clusters[0]!.libraryId;
  const merge = useEdit('mergeClusters', libraryId);
  const biggest = [...clusters].sort((a, b) => b.size - a.size)[0]!;
  const [name, setName] = useState(biggest.name);
  const id = useId();
  const problem = nameProblem(name);
  return (
    <Dialog title={`Merge ${clusters.length} groups`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (problem) return;
          merge.mutate(
            { clusterIds: clusters.map((c) => c.id), name: name.trim() },
            {
              onSuccess: (r) => {
                onClose();
                const survivor = r.createdClusterIds[0] ?? r.clusters.find((c) => clusters.some((x) => x.id === c.id))?.id;
                if (survivor !== undefined) onMerged?.(survivor);
              },
            },
          );
        }}
      >
        <p>These groups become one ({clusters.reduce((n, c) => n + c.size, 0)} photos):</p>
        <ul>
          {clusters.map((c) => (
            <li key={c.id}>
              {c.name} ({c.size})
            </li>
          ))}
        </ul>
        <div className="field">
          <label htmlFor={id}>Name of the merged group</label>
          <input id={id} value={name} onChange={(e) => setName(e.target.value)} aria-invalid={problem ? true : undefined} />
          {problem && <span className="error-text">{problem}</span>}
        </div>
        <div className="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!!problem || merge.isPending}>
            Merge
          </button>
        </div>
      </form>
    </Dialog>
  );
}
