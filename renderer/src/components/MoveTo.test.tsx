// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClusterInfo } from '../../../core/api.js';
import { MoveTo } from './MoveTo.js';

const cluster = (id: number, extra: Partial<ClusterInfo> = {}): ClusterInfo => ({ id, libraryId: 1, name: `Group ${id}`, size: 5, meanConfidence: 0.5, hidden: false, coverPhotoIds: [], userNamed: false, suggestedName: null, ...extra });

afterEach(cleanup);

describe('MoveTo', () => {
  it('names each target group with the name its photos suggest until the user names it, and moves to the one chosen', () => {
    const onMove = vi.fn();
    render(<MoveTo clusters={[cluster(1, { suggestedName: 'Shoes' }), cluster(2, { name: 'Boots', userNamed: true }), cluster(3)]} disabled={false} onMove={onMove} />);
    const select = screen.getByRole('combobox', { name: /Move to/ });
    expect([...select.querySelectorAll('option')].map((o) => o.textContent)).toEqual(['choose a group…', 'Group 1 — suggested: Shoes', 'Boots', 'Group 3', 'a new group']);
    fireEvent.change(select, { target: { value: '1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Move' }));
    expect(onMove).toHaveBeenCalledWith({ clusterId: 1 });
  });
});
